import { createStore } from 'zustand/vanilla';

/** The screens of a visit, in the order the technician goes through them. */
export type ScreenId = 'home' | 'releases' | 'connect' | 'collect' | 'update' | 'results' | 'history';

/** Which screen is shown; screens move the technician on by calling `go`. */
export interface NavState {
  screen: ScreenId;
  go(screen: ScreenId): void;
}

export function createNavStore() {
  return createStore<NavState>()((set) => ({
    screen: 'home',
    go(screen) {
      set({ screen });
    },
  }));
}
