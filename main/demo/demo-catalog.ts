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
