import { openPtyPair as openSimPtyPair } from '../../../main/sim/pty-pair';

/** A pair of connected pseudo-terminals made by socat, for tests over real ttys. */
export interface PtyPair {
  /** The two tty paths; bytes written to one come out of the other. */
  paths: [string, string];
  /** Kills socat: both ttys hang up, as a USB device does when unplugged. */
  kill(): Promise<void>;
}

/**
 * The simulator's socat pair ({@link openSimPtyPair}) in the shape the link tests use. With
 * `links`, both ends are symlinks of those names, so that a pair made again after
 * {@link PtyPair.kill} has the same paths, as a re-enumerated USB device does.
 */
export async function openPtyPair(options: { links?: [string, string]; socat?: string } = {}): Promise<PtyPair> {
  const { links, socat } = options;
  const pair = await openSimPtyPair(links?.[0], { ...(socat ? { socat } : {}), ...(links ? { deviceLink: links[1] } : {}) });
  return { paths: [pair.clientPath, pair.devicePath], kill: pair.close };
}
