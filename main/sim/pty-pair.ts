import { spawn } from 'node:child_process';
import { SiteflashError } from '../errors';

/** Two connected pseudo-terminals made by socat: the client opens one, the simulator the other. */
export interface PtyPair {
  /** The symlink the client opens (`<dir>/simN`). */
  clientPath: string;
  /** The pty the simulated device sits on. */
  devicePath: string;
  /** Stops socat; resolves once it exited. */
  close(): Promise<void>;
}

/**
 * Spawns `socat -d -d pty,raw,echo=0,link=<clientPath> pty,raw,echo=0` and waits until it
 * reports both ptys and its transfer loop. Rejects with a `sim-pty` error when socat is
 * missing or does not start within `timeoutMs`.
 */
export function openPtyPair(clientPath: string, opts: { socat?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const child = spawn(opts.socat ?? 'socat', ['-d', '-d', `pty,raw,echo=0,link=${clientPath}`, 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  return new Promise((resolve, reject) => {
    const ptys: string[] = [];
    let log = '';
    const fail = (message: string) => {
      clearTimeout(timer);
      void close();
      reject(new SiteflashError('sim-pty', message, false));
    };
    const timer = setTimeout(() => fail(`socat did not set up a pty pair within ${opts.timeoutMs ?? 5000} ms: ${log.trim()}`), opts.timeoutMs ?? 5000);
    child.once('error', (err) => fail(`Could not start socat (${err.message}); install socat to run simulated devices on ptys.`));
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (text: string) => {
      log += text;
      for (const m of text.matchAll(/PTY is (\S+)/g)) ptys.push(m[1] as string);
      if (ptys.length >= 2 && log.includes('starting data transfer loop')) {
        clearTimeout(timer);
        child.stderr.removeAllListeners('data');
        child.stderr.resume();
        resolve({ clientPath, devicePath: ptys[1] as string, close });
      }
    });
  });
}
