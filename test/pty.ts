import { spawn } from 'node:child_process';

/** Two linked pseudo-terminals made by socat: bytes written to one end are read at the other. */
export interface PtyPair {
  a: string;
  b: string;
  /** Ends socat; both paths disappear. Safe to call twice. */
  close(): Promise<void>;
}

/** Spawns `socat -d -d pty,raw,echo=0 pty,raw,echo=0` and reads the two paths from its log. */
export function openPtyPair(): Promise<PtyPair> {
  const child = spawn('socat', ['-d', '-d', 'pty,raw,echo=0', 'pty,raw,echo=0'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socat did not open two ptys:\n${log}`)), 5000);
    child.on('error', (err) => reject(new Error(`cannot run socat (install Debian's socat): ${err.message}`)));
    child.stderr.on('data', (chunk: Buffer) => {
      log += chunk.toString();
      const paths = [...log.matchAll(/PTY is (\S+)/g)].map((m) => m[1]!);
      if (paths.length === 2 && /starting data transfer loop/.test(log)) {
        clearTimeout(timer);
        resolve({
          a: paths[0]!,
          b: paths[1]!,
          close: () =>
            new Promise((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
  });
}
