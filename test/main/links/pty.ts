import { spawn, type ChildProcess } from 'node:child_process';

/** A pair of connected pseudo-terminals made by socat, for tests over real ttys. */
export interface PtyPair {
  /** The two tty paths; bytes written to one come out of the other. */
  paths: [string, string];
  /** Kills socat: both ttys hang up, as a USB device does when unplugged. */
  kill(): Promise<void>;
}

/**
 * Spawns `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and waits for the two "PTY is …" lines on
 * its stderr. With `links`, socat also makes symlinks of those names to the two ttys, so that a
 * pair made again after {@link PtyPair.kill} has the same paths, as a re-enumerated USB device does.
 */
export function openPtyPair(options: { links?: [string, string]; socat?: string } = {}): Promise<PtyPair> {
  const { links, socat = '/usr/bin/socat' } = options;
  const side = (i: 0 | 1) => `pty,raw,echo=0${links ? `,link=${links[i]}` : ''}`;
  const child = spawn(socat, ['-d', '-d', side(0), side(1)], { stdio: ['ignore', 'ignore', 'pipe'] });
  return new Promise((resolve, reject) => {
    const paths: string[] = [];
    let text = '';
    const fail = (err: Error) => {
      child.kill('SIGKILL');
      reject(err);
    };
    const timer = setTimeout(() => fail(new Error(`socat gave no ptys: ${text}`)), 5000);
    child.once('error', fail);
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      text += chunk;
      for (const m of text.matchAll(/PTY is (\S+)/g)) if (m[1] && !paths.includes(m[1])) paths.push(m[1]);
      if (paths.length === 2 && text.includes('starting data transfer loop')) {
        clearTimeout(timer);
        child.stderr?.removeAllListeners('data');
        child.stderr?.resume();
        resolve({ paths: links ?? [paths[0] as string, paths[1] as string], kill: () => stop(child) });
      }
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
