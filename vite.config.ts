import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/** The renderer: a static bundle loaded by Electron from disk or served by the browser host. */
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte()],
  build: {
    outDir: '../out/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    rollupOptions: {
      // The app, and a gallery page of every component for screenshots and accessibility scans.
      input: { index: 'renderer/index.html', gallery: 'renderer/gallery.html' },
    },
  },
});
