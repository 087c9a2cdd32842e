import { describe, expect, it } from 'vitest';
import { CollectChoices } from '../../../main/jobs/collect-choices';

describe('devices chosen one by one on Collect (what a development device needs)', () => {
  it('counts a tick given by itself, not one given with "select all" nor by an LED answer', () => {
    const c = new CollectChoices(() => 1);
    c.choose('a', true, true);
    c.choose('b', true);
    c.answer('c', true);
    expect(c.current.chosen).toEqual(['a', 'b', 'c']);
    expect(['a', 'b', 'c'].map((id) => c.isOneByOne(id))).toEqual([true, false, false]);
  });

  it('forgets it when the device is unticked, or leaves update mode; keeps it through an LED answer', () => {
    const c = new CollectChoices(() => 1);
    c.choose('a', true, true);
    c.answer('a', true);
    expect(c.isOneByOne('a')).toBe(true);
    c.choose('a', false);
    c.choose('a', true);
    expect(c.isOneByOne('a')).toBe(false);
    c.choose('b', true, true);
    c.observe([{ id: 'b', mode: 'update' }]);
    c.observe([{ id: 'b', mode: 'normal' }]);
    expect(c.isOneByOne('b')).toBe(false);
  });
});
