import { describe, expect, it } from 'vitest';
import { CollectChoices } from '../../../main/jobs/collect-choices';

describe('the Collect choices the core keeps', () => {
  it('stamps an answer with the core clock; "yes" chooses the device, "no" takes it out, null asks again', () => {
    let now = 1000;
    const c = new CollectChoices(() => now);
    c.answer('a', true);
    now = 2000;
    c.answer('b', true);
    expect(c.current).toEqual({ chosen: ['a', 'b'], answers: { a: { seen: true, at: 1000 }, b: { seen: true, at: 2000 } }, updateSince: {} });
    now = 3000;
    c.answer('a', false);
    expect(c.current.chosen).toEqual(['b']);
    expect(c.answerFor('a')).toEqual({ seen: false, at: 3000 });
    c.answer('a', null);
    expect(c.answerFor('a')).toBeUndefined();
  });

  it('clears the tick and answer of a device seen leaving update mode, and of no other', () => {
    const c = new CollectChoices(() => 5);
    c.observe([{ id: 'a', mode: 'update' }, { id: 'b', mode: 'update' }]);
    c.answer('a', true);
    c.answer('b', true);
    c.observe([{ id: 'a', mode: 'normal' }, { id: 'b', mode: 'update' }]);
    expect(c.current).toEqual({ chosen: ['b'], answers: { b: { seen: true, at: 5 } }, updateSince: { b: 5 } });
  });

  it('keeps a tick given to a device first heard in normal mode until it is seen leaving update mode', () => {
    const c = new CollectChoices(() => 5);
    c.observe([{ id: 'a', mode: 'normal' }]);
    c.choose('a', true);
    c.observe([{ id: 'a', mode: 'normal' }]);
    expect(c.current.chosen).toEqual(['a']);
  });

  it('ticks many devices in one change, only those heard in update mode, keeping the order of earlier ticks', () => {
    const c = new CollectChoices(() => 5);
    const changes: string[][] = [];
    c.changes.add((s) => changes.push(s.chosen));
    c.observe([{ id: 'a', mode: 'update' }, { id: 'b', mode: 'normal' }, { id: 'c', mode: 'update' }, { id: 'd', mode: 'update' }]);
    c.choose('c', true);
    changes.length = 0;
    c.chooseMany(['a', 'b', 'c', 'd', 'unheard'], true);
    expect(changes).toEqual([['c', 'a', 'd']]);
    c.chooseMany(['a', 'c'], false);
    expect(c.current.chosen).toEqual(['d']);
  });

  it('confirms the LED of every chosen device not yet answered in one change: the exceptions "no" and out, the others "yes", earlier answers kept', () => {
    let now = 100;
    const c = new CollectChoices(() => now);
    c.observe(['a', 'b', 'c', 'd', 'e'].map((id) => ({ id, mode: 'update' as const })));
    c.answer('a', true);
    c.chooseMany(['b', 'c', 'd'], true);
    now = 900;
    const changes: unknown[] = [];
    c.changes.add((s) => changes.push(s));
    const r = c.confirmChosen(['c', 'e']);
    expect(changes).toHaveLength(1);
    expect(r).toEqual({ seen: ['b', 'd'], notSeen: ['c'] });
    expect(c.current.chosen).toEqual(['a', 'b', 'd']);
    expect(c.current.answers).toEqual({ a: { seen: true, at: 100 }, b: { seen: true, at: 900 }, c: { seen: false, at: 900 }, d: { seen: true, at: 900 } });
  });

  it('stamps when a device was first heard in update mode, keeps it while it stays there, and forgets it once it leaves', () => {
    let now = 1000;
    const c = new CollectChoices(() => now);
    c.observe([{ id: 'a', mode: 'update' }, { id: 'b', mode: 'normal' }]);
    now = 4000;
    c.observe([{ id: 'a', mode: 'update' }, { id: 'b', mode: 'update' }]);
    expect(c.current.updateSince).toEqual({ a: 1000, b: 4000 });
    now = 9000;
    c.observe([{ id: 'a', mode: 'normal' }, { id: 'b', mode: 'update' }]);
    expect(c.current.updateSince).toEqual({ b: 4000 });
    c.observe([{ id: 'a', mode: 'update' }]);
    expect(c.current.updateSince).toEqual({ a: 9000, b: 4000 });
  });
});
