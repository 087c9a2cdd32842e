import { createSubscriber } from 'svelte/reactivity';
import type { StoreApi } from 'zustand/vanilla';

/**
 * Reads a zustand vanilla store from Svelte: `fromStore(store).current` is the store's state, and
 * any effect or template that read it re-runs when the store changes. The one adapter between the
 * stores and the components.
 */
export function fromStore<T>(store: StoreApi<T>): { readonly current: T } {
  const subscribe = createSubscriber((update) => store.subscribe(update));
  return {
    get current() {
      subscribe();
      return store.getState();
    },
  };
}
