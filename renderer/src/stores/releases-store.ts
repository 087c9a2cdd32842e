import { createStore } from 'zustand/vanilla';
import type { BundleInfo, ErrorValue, ImageCheck, SiteflashBridge, TrustedKeyInfo } from '../../../preload/api';
import { changeCounter } from './changes';
import { sendFile } from './file-upload';

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
  /** Bytes of the picked file the core has received so far, while one is being sent. */
  sending: { sent: number; total: number } | null;
  load(): Promise<void>;
  importFile(file: File): Promise<void>;
  importDemo(): Promise<void>;
  verify(id: string): Promise<void>;
  remove(id: string): Promise<void>;
  checkImage(file: File): Promise<void>;
}

export function createReleasesStore(bridge: () => SiteflashBridge) {
  return createStore<ReleasesState>()((set, get) => {
    // Listing re-reads every bundle: an import, a check or a removal may be answered meanwhile.
    const changes = changeCounter();
    const replace = (bundle: BundleInfo) => {
      const others = get().bundles.filter((b) => b.id !== bundle.id);
      return [bundle, ...others].sort((a, b) => b.created.localeCompare(a.created));
    };
    const imported = async (result: Awaited<ReturnType<SiteflashBridge['invoke']>>) => {
      changes.changed();
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
      sending: null,
      async load() {
        const mark = changes.mark();
        const [bundles, keys] = await Promise.all([bridge().invoke('releases:list', {}), bridge().invoke('keys:list', {})]);
        if (changes.since(mark)) {
          if (bundles.ok && keys.ok) void get().load();
          return;
        }
        set({
          bundles: bundles.ok ? bundles.value : get().bundles,
          keys: keys.ok ? keys.value : get().keys,
          error: !bundles.ok ? bundles.error : !keys.ok ? keys.error : null,
        });
      },
      async importFile(file) {
        set({ busy: 'import', error: null, sending: { sent: 0, total: file.size } });
        const sent = await sendFile(bridge(), file, (n, total) => set({ sending: { sent: n, total } }));
        set({ sending: null });
        await imported(sent.ok ? await bridge().invoke('releases:import-upload', { uploadId: sent.value.uploadId }) : sent);
      },
      async importDemo() {
        set({ busy: 'import', error: null });
        await imported(await bridge().invoke('releases:import-demo', {}));
      },
      async verify(id) {
        set({ busy: `verify:${id}`, error: null });
        const result = await bridge().invoke('releases:verify', { id });
        changes.changed();
        if (result.ok) set({ bundles: replace(result.value), busy: null });
        else set({ error: result.error, busy: null });
      },
      async remove(id) {
        const result = await bridge().invoke('releases:remove', { id });
        changes.changed();
        if (result.ok) set({ bundles: get().bundles.filter((b) => b.id !== id), error: null });
        else set({ error: result.error });
      },
      async checkImage(file) {
        set({ busy: 'check', error: null, imageCheck: null });
        const sent = await sendFile(bridge(), file);
        const result = sent.ok ? await bridge().invoke('image:check-upload', { uploadId: sent.value.uploadId }) : sent;
        changes.changed();
        if (result.ok) set({ imageCheck: result.value, busy: null });
        else set({ error: result.error, busy: null });
      },
    };
  });
}
