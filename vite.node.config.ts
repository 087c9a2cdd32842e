import { defineConfig } from 'vite';

/**
 * The Node side: the Electron main process, the CLI and the start script as ES modules, and the
 * preload as one CommonJS file (sandboxed preloads cannot be ES modules). Dependencies stay
 * external: native modules load from node_modules at run time.
 */
export default defineConfig(({ mode }) => {
  const preload = mode === 'preload';
  const input: Record<string, string> = preload
    ? { preload: 'preload/index.ts' }
    : { app: 'main/app/index.ts', cli: 'main/cli/index.ts', start: 'main/host/start.ts' };
  return {
    // When this build was made: the preflight's clock check says so if the laptop's clock is earlier.
    define: { __SITEFLASH_BUILT_AT__: JSON.stringify(Date.now()) },
    build: {
      ssr: true,
      target: 'node20',
      outDir: preload ? 'out/preload' : 'out/main',
      emptyOutDir: true,
      sourcemap: true,
      minify: false,
      rollupOptions: {
        input,
        external: ['electron'],
        output: preload
          ? { format: 'cjs', entryFileNames: '[name].cjs' }
          : { format: 'es', entryFileNames: '[name].js', chunkFileNames: 'chunks/[name]-[hash].js' },
      },
    },
  };
});
