/**
 * Orders a store's answers when a slow list and the technician's actions overlap: a list asked for
 * before a change the store already shows (an action answered, a core event) is older than the
 * store. It is neither shown nor allowed to clear the action's error; the store asks again.
 */
export function changeCounter() {
  let n = 0;
  return {
    /** Taken when a list is asked for. */
    mark: (): number => n,
    /** Called when an action's answer or an event changed what the store shows. */
    changed: (): void => void n++,
    /** True when something changed since `mark` was taken. */
    since: (mark: number): boolean => mark !== n,
  };
}
