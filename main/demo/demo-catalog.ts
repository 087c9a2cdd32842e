/**
 * The demo site: what the simulated devices are and what the demo release installs. One place, so
 * that the demo bundle, the simulated fleet and the tests agree.
 */

/** A board of the demo fleet, with the hardware revisions it comes in. */
export interface DemoBoard {
  board: string;
  hwRevisions: string[];
  /** What the devices run before the visit. */
  installedVersion: string;
  /** What the demo release installs. */
  releaseVersion: string;
  /** Body size of the demo image (bytes): small enough for a quick demo, big enough to watch. */
  imageSize: number;
  radio: '6lowpan' | 'mioty' | 'none';
}

export const DEMO_BOARDS: readonly DemoBoard[] = [
  { board: 'sf-sensor-t', hwRevisions: ['A', 'B'], installedVersion: '1.4.2+0', releaseVersion: '1.5.0+17', imageSize: 96 * 1024, radio: '6lowpan' },
  { board: 'sf-valve-v', hwRevisions: ['2'], installedVersion: '2.0.1+0', releaseVersion: '2.1.0+4', imageSize: 128 * 1024, radio: '6lowpan' },
  { board: 'sf-meter-m', hwRevisions: ['3', '4'], installedVersion: '0.9.8+0', releaseVersion: '1.0.0+1', imageSize: 80 * 1024, radio: 'mioty' },
];

/** The demo release bundle's identity. */
export const DEMO_BUNDLE = { id: 'demo-2026.11', systemVersion: '2026.11.0', name: 'Demo site release (signed with this computer\'s demo key: protects nothing)' } as const;

/** Names of the demo keys (main/demo/demo-keys): anything they sign proves nothing, and is trusted for the demo site only. */
export const DEMO_KEY_PREFIX = 'siteflash-demo-';

/** The demo site's own device list (its catalog): every simulated device, by the id it reports, with a name and a place. */
export const DEMO_SITE = { id: 'demo-site', projectId: 'demo-project', name: 'Demo site', projectName: 'Demo project' } as const;

/** Where the demo's devices hang, one place per board (in DEMO_BOARDS order). */
const DEMO_PLACES: readonly { noun: string; places: readonly string[] }[] = [
  { noun: 'Temperature sensor', places: ['Boiler room, north wall', 'Boiler room, south wall', 'Pump hall, column A2', 'Pump hall, column C4', 'Control room, by the door'] },
  { noun: 'Valve', places: ['Inlet pipe DN200', 'Outlet pipe DN200', 'Bypass line', 'Filter bank 1', 'Filter bank 2'] },
  { noun: 'Water meter', places: ['Meter pit 1', 'Meter pit 2', 'Meter pit 3', 'Meter pit 4', 'Workshop sink'] },
];

/**
 * The demo list: the devices behind the demo gateway (4 per board, EUI-64 `5f1a5500…`, in board
 * order) and one direct device per board (`5f1a0d00…01` to `…03`). Its target is the demo
 * release's system version; no device is pinned, locked or kept for development.
 */
export function demoSiteDevices(): { id: string; name: string; location: string; board: string; hwRev: string }[] {
  const behind = DEMO_BOARDS.flatMap((b, i) =>
    [0, 1, 2, 3].map((k) => {
      const n = i * 4 + k;
      const place = DEMO_PLACES[i]!;
      return { id: `5f1a5500${n.toString(16).padStart(8, '0')}`, name: `${place.noun} ${k + 1}`, location: place.places[k]!, board: b.board, hwRev: b.hwRevisions[0]! };
    }),
  );
  const direct = DEMO_BOARDS.map((b, i) => {
    const place = DEMO_PLACES[i]!;
    return { id: `5f1a0d00000000${(i + 1).toString(16).padStart(2, '0')}`, name: `${place.noun} 5 (bench)`, location: place.places[4]!, board: b.board, hwRev: b.hwRevisions.at(-1)! };
  });
  return [...behind, ...direct];
}
