import { spawn } from 'node:child_process';
import { SiteflashError } from '../errors';

/** Two connected pseudo-terminals made by socat: the client opens one, the simulator the other. */
export interface PtyPair {
  /** The path the client opens: the symlink asked for, or socat's first pty. */
  clientPath: string;
  /** The path the simulated device opens: its symlink when {@link PtyPairOptions.deviceLink} was given, else socat's second pty. */
  devicePath: string;
  /** Stops socat (both ttys hang up, as an unplugged USB device's do); resolves once it exited. Safe to call twice. */
  close(): Promise<void>;
}

/** Options of {@link openPtyPair}. */
export interface PtyPairOptions {
  /** The socat binary (default `socat` on the PATH). */
  socat?: string;
  /** How long socat may take to set the pair up (default 5 s). */
  timeoutMs?: number;
  /**
   * A symlink for the device side too. With both ends linked, a pair made again after
   * {@link PtyPair.close} has the same two paths, as a re-enumerated USB device does.
   */
  deviceLink?: string;
}

/**
 * Spawns `socat -d -d pty,raw,echo=0[,link=<clientPath>] pty,raw,echo=0[,link=<deviceLink>]` and
 * waits until it reports both ptys and its transfer loop. socat removes its links when it exits.
 * Rejects with a `sim-pty` error when socat is missing or does not start within `timeoutMs`.
 */
export function openPtyPair(clientPath?: string, opts: PtyPairOptions = {}): Promise<PtyPair> {
  const side = (link: string | undefined) => `pty,raw,echo=0${link === undefined ? '' : `,link=${link}`}`;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const child = spawn(opts.socat ?? 'socat', ['-d', '-d', side(clientPath), side(opts.deviceLink)], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    let log = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      void close();
      reject(new SiteflashError('sim-pty', message, false));
    };
    const timer = setTimeout(() => fail(`socat did not set up a pty pair within ${timeoutMs} ms: ${log.trim()}`), timeoutMs);
    child.once('error', (err) => fail(`Could not start socat (${err.message}); install socat to run simulated devices on ptys.`));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      // Scan the whole log: a "PTY is" line may arrive split over two chunks.
      log += text;
      const ptys = [...new Set([...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1] as string))];
      if (ptys.length < 2 || !log.includes('starting data transfer loop')) return;
      clearTimeout(timer);
      child.stderr.removeAllListeners('data');
      child.stderr.resume();
      resolve({ clientPath: clientPath ?? (ptys[0] as string), devicePath: opts.deviceLink ?? (ptys[1] as string), close });
    });
  });
}
