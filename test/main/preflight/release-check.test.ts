import { describe, expect, it } from 'vitest';
import { checkBatchCoverage, checkSiteCoverage, type StoredRelease } from '../../../main/preflight/release-check';
import type { SiteCatalog } from '../../../main/store/catalog-cache';

const release: StoredRelease = {
  id: 'plant-2026.1',
  systemVersion: '2026.1',
  components: [
    { board: 'sf-meter-m', hwRevisions: ['3', '4'] },
    { board: 'sf-valve-v', hwRevisions: ['2'] },
  ],
};

function site(devices: [string, string, string | null, string | null][]): SiteCatalog {
  return {
    project: { id: 'p', name: 'Plant' },
    site: { id: 'north', projectId: 'p', name: 'North hall' },
    devices: devices.map(([name, board, hwRev, targetVersion], i) => ({ id: `00000000000000${String(i).padStart(2, '0')}`, siteId: 'north', name, board, hwRev, targetVersion })),
    systemVersions: [
      { projectId: 'p', version: '2026.1', bundle: { id: 'plant-2026.1', size: 1000, sha256: 'a'.repeat(64) } },
      { projectId: 'p', version: '2026.2', bundle: { id: 'plant-2026.2', size: 1000, sha256: 'b'.repeat(64) } },
    ],
  };
}

describe('the release covers every device on the site list', () => {
  it('is ok when each device\'s target release is stored and has its board and revision', () => {
    const check = checkSiteCoverage(['north'], [site([['Pump 1', 'sf-meter-m', '3', '2026.1'], ['Valve', 'sf-valve-v', '2', null], ['Pump 2', 'sf-meter-m', null, '2026.1']])], [release]);
    expect(check.status).toBe('ok');
    expect(check.detail).toBe('3 devices on North hall: every board and hardware revision has an image in a stored release.');
  });

  it('fails naming the boards and revisions without an image, and the devices whose release is not here', () => {
    const check = checkSiteCoverage(
      ['north'],
      [site([['Pump 1', 'sf-meter-m', '5', '2026.1'], ['Pump 2', 'sf-meter-m', '5', '2026.1'], ['Door', 'sf-door-d', 'A', '2026.1'], ['Valve', 'sf-valve-v', '2', '2026.2'], ['Ok', 'sf-valve-v', '2', '2026.1']])],
      [release],
    );
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('4 of 5 devices on North hall are not covered');
    expect(check.detail).toContain('1 need a release that is not on this laptop: sf-valve-v hw 2 (1: Valve)');
    expect(check.detail).toContain('3 have no image for their board or hardware revision in their release: sf-meter-m hw 5 (2: Pump 1, Pump 2); sf-door-d hw A (1: Door)');
    expect(check.fix).toContain('Prepare the visit while online');
  });

  it('is unknown without a chosen site or a cached list: prepare the visit while online', () => {
    expect(checkSiteCoverage([], [], [release])).toMatchObject({ status: 'unknown', fix: expect.stringContaining('Prepare the visit while online') });
    expect(checkSiteCoverage(['south'], [null], [release])).toMatchObject({ status: 'unknown', detail: 'No device list is cached for south.' });
  });
});

describe('the release covers the devices chosen for a batch', () => {
  it('ok, fail naming the uncovered, unknown for a device that did not say its board', () => {
    expect(checkBatchCoverage(release, release.id, [{ name: 'a', board: 'sf-meter-m', hwRev: '4' }]).status).toBe('ok');
    const fail = checkBatchCoverage(release, release.id, [{ name: 'a', board: 'sf-meter-m', hwRev: '4' }, { name: 'b', board: 'sf-valve-v', hwRev: '3' }]);
    expect(fail).toMatchObject({ status: 'fail', detail: '1 of 2 chosen devices have no image in 2026.1 (plant-2026.1): sf-valve-v hw 3 (1: b).' });
    expect(checkBatchCoverage(release, release.id, [{ name: 'a', board: 'sf-meter-m', hwRev: '4' }, null]).status).toBe('unknown');
    expect(checkBatchCoverage(null, 'gone', []).status).toBe('fail');
  });
});
