import { describe, expect, it } from 'vitest';
import type { VisitPreparation } from '../../../preload/api';
import { bundleStateText, formatSiteIds, parseSiteIds, preparationSummary, siteIdsProblem } from '../../../renderer/src/components/prepare-view';

describe('parseSiteIds', () => {
  it('splits on commas and line breaks, trims, and drops empty ids and repeats', () => {
    expect(parseSiteIds('s-pump-7, s-depot\n\ns-north\r\n s-pump-7 ,,')).toEqual(['s-pump-7', 's-depot', 's-north']);
    expect(parseSiteIds('  \n , ')).toEqual([]);
  });

  it('reads back what formatSiteIds wrote', () => {
    const ids = ['s-pump-7', 's-depot'];
    expect(parseSiteIds(formatSiteIds(ids))).toEqual(ids);
  });
});

describe('siteIdsProblem', () => {
  it('asks for at least one id and keeps to the core limits', () => {
    expect(siteIdsProblem([])).toMatch(/at least one/);
    expect(siteIdsProblem(['s-1'])).toBeNull();
    expect(siteIdsProblem(Array.from({ length: 101 }, (_, i) => `s-${i}`))).toMatch(/At most 100/);
    expect(siteIdsProblem(['x'.repeat(201)])).toMatch(/at most 200 characters/);
  });
});

describe('bundle states', () => {
  it('says each state in words, a failure with its reason', () => {
    expect(bundleStateText({ id: 'b', version: '2.0.0', state: 'stored' })).toEqual({ text: 'already on this computer', tone: 'ok' });
    expect(bundleStateText({ id: 'b', version: '2.0.0', state: 'downloaded' })).toEqual({ text: 'downloaded and verified', tone: 'ok' });
    expect(bundleStateText({ id: 'b', version: '2.0.0', state: 'failed', message: 'The manifest signature does not verify.' })).toEqual({
      text: 'not downloaded: The manifest signature does not verify.',
      tone: 'bad',
    });
  });

  it('sums the bundles of every site', () => {
    const p: VisitPreparation = {
      sites: [
        { id: 'a', name: 'A', project: 'P', devices: 2, bundles: [{ id: '1', version: '1', state: 'downloaded' }, { id: '2', version: '2', state: 'failed', message: 'x' }] },
        { id: 'b', name: 'B', project: 'P', devices: 1, bundles: [{ id: '3', version: '3', state: 'stored' }] },
      ],
    };
    expect(preparationSummary(p)).toBe('2 sites: 1 downloaded, 1 already here, 1 failed');
    expect(preparationSummary({ sites: [{ id: 'a', name: 'A', project: 'P', devices: 0, bundles: [] }] })).toBe('1 site: no release bundle is needed');
  });
});
