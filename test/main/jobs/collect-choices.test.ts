import { describe, expect, it } from 'vitest';
import { CollectChoices } from '../../../main/jobs/collect-choices';

describe('the Collect choices the core keeps', () => {
  it('stamps an answer with the core clock; "yes" chooses the device, "no" takes it out, null asks again', () => {
    let now = 1000;
    const c = new CollectChoices(() => now);
    c.answer('a', true);
    now = 2000;
    c.answer('b', true);
    expect(c.current).toEqual({ chosen: ['a', 'b'], answers: { a: { seen: true, at: 1000 }, b: { seen: true, at: 2000 } } });
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
    expect(c.current).toEqual({ chosen: ['b'], answers: { b: { seen: true, at: 5 } } });
  });

  it('keeps a tick given to a device first heard in normal mode until it is seen leaving update mode', () => {
    const c = new CollectChoices(() => 5);
    c.observe([{ id: 'a', mode: 'normal' }]);
    c.choose('a', true);
    c.observe([{ id: 'a', mode: 'normal' }]);
    expect(c.current.chosen).toEqual(['a']);
  });
});
