import { createStore } from 'zustand/vanilla';
import type { BundleInfo, ErrorValue, ImageCheck, SiteflashBridge, TrustedKeyInfo } from '../../../preload/api';
import { toUpload } from './file-upload';

/** Release bundles and trusted keys as the core reports them; the core decides every verdict. */
export interface ReleasesState {
  bundles: BundleInfo[];
  keys: TrustedKeyInfo[];
  /** What is running now, for a busy indicator: `import`, `verify:<id>`, `check`. */
  busy: string | null;
  error: ErrorValue | null;
  /** The last bundle imported in this session, to highlight it. */
  lastImported: string | null;
  imageCheck: ImageCheck | null;
  load(): Promise<void>;
  importFile(file: File): Promise<void>;
  importDemo(): Promise<void>;
  verify(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  checkImage(file: File): Promise<void>;
}

export function createReleasesStore(bridge: () => SiteflashBridge) {
  return createStore<ReleasesState>()((set, get) => {
    const replace = (bundle: BundleInfo) => {
      const others = get().bundles.filter((b) => b.id !== bundle.id);
      return [bundle, ...others].sort((a, b) => b.created.localeCompare(a.created));
    };
    const imported = async (result: Awaited<ReturnType<SiteflashBridge['invoke']>>) => {
      if (result.ok) {
        const bundle = result.value as BundleInfo;
        set({ bundles: replace(bundle), lastImported: bundle.id, error: null, busy: null });
      } else set({ error: result.error, busy: null });
    };
    return {
      bundles: [],
      keys: [],
      busy: null,
      error: null,
      lastImported: null,
      imageCheck: null,
      async load() {
        const [bundles, keys] = await Promise.all([bridge().invoke('releases:list', {}), bridge().invoke('keys:list', {})]);
        set({
          bundles: bundles.ok ? bundles.value : get().bundles,
          keys: keys.ok ? keys.value : get().keys,
          error: !bundles.ok ? bundles.error : !keys.ok ? keys.error : null,
        });
      },
      async importFile(file) {
        set({ busy: 'import', error: null });
        await imported(await bridge().invoke('releases:import-file', await toUpload(file)));
      },
      async importDemo() {
        set({ busy: 'import', error: null });
        await imported(await bridge().invoke('releases:import-demo', {}));
      },
      async verify(id) {
        set({ busy: `verify:${id}`, error: null });
        const result = await bridge().invoke('releases:verify', { id });
        if (result.ok) set({ bundles: replace(result.value), busy: null });
        else set({ error: result.error, busy: null });
      },
      async remove(id) {
        const result = await bridge().invoke('releases:remove', { id });
        if (result.ok) set({ bundles: get().bundles.filter((b) => b.id !== id), error: null });
        else set({ error: result.error });
      },
      async checkImage(file) {
        set({ busy: 'check', error: null, imageCheck: null });
        const result = await bridge().invoke('image:check', await toUpload(file));
        if (result.ok) set({ imageCheck: result.value, busy: null });
        else set({ error: result.error, busy: null });
      },
    };
  });
}
