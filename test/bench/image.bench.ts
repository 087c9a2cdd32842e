/**
 * Image verification throughput and memory: `npx tsx test/bench/image.bench.ts`.
 *
 * Builds signed Ed25519/SHA-256 images of 1 MiB and 64 MiB with the builder in a temp folder,
 * then, for each, in a fresh child process (so the build's memory does not count): verifies the
 * file with verifyImageFile (best of 3), records peak RSS and heap+ArrayBuffer growth, and
 * measures the `sha256sum` command on the same file in the same run (its start-up time, measured
 * on an empty file, is subtracted so that only hashing is compared). Figures are printed as
 * ratios: verify rate / sha256sum rate (target ≥ 0.8), verify rate / Node's SHA-256 of the same
 * bytes already in memory (the ceiling: verification is one SHA-256 pass plus reading), and peak
 * memory growth, which must not depend on the image size.
 */
import { spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildImage } from '../../main/image/build';
import { trustedKeyFromPem } from '../../main/image/trusted-key';
import { verifyImageFile } from '../../main/image/verify-file';

const MiB = 1024 * 1024;
const RUNS = 3;

interface ChildResult {
  bestSeconds: number;
  valid: boolean;
  rssGrowthMiB: number;
  heapGrowthMiB: number;
}

/** Child: verify `file` RUNS times, report the best time and the memory it took. */
async function child(file: string, pemFile: string): Promise<void> {
  const { readFileSync } = await import('node:fs');
  const key = trustedKeyFromPem(readFileSync(pemFile), { name: 'bench', role: 'image' });
  const base = process.memoryUsage();
  let peakHeap = 0;
  let peakRss = 0;
  let best = Infinity;
  let valid = true;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const v = await verifyImageFile(file, [key], {
      onProgress: () => {
        const m = process.memoryUsage();
        peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers - base.heapUsed - base.arrayBuffers);
        peakRss = Math.max(peakRss, m.rss - base.rss);
      },
    });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
    valid &&= v.valid;
  }
  const result: ChildResult = {
    bestSeconds: best,
    valid,
    rssGrowthMiB: peakRss / MiB,
    heapGrowthMiB: peakHeap / MiB,
  };
  process.stdout.write(JSON.stringify(result));
}

/** Best-of-3 time of `sha256sum file`, minus the command's start-up time (measured on an empty file). */
function sha256sumSeconds(file: string, empty: string): number {
  return Math.max(1e-6, bestSha256sum(file) - bestSha256sum(empty));
}

function bestSha256sum(file: string): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync('sha256sum', [file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sha256sum failed: ${r.stderr}`);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

function bestOf(f: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < RUNS; i++) {
    const t0 = process.hrtime.bigint();
    f();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  return best;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sf-image-bench-'));
  try {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pemFile = path.join(dir, 'key.pub.pem');
    writeFileSync(pemFile, publicKey.export({ type: 'spki', format: 'pem' }));
    const empty = path.join(dir, 'empty');
    writeFileSync(empty, '');
    const rows: string[] = [];
    for (const size of [1 * MiB, 64 * MiB]) {
      const file = path.join(dir, `image-${size / MiB}MiB.bin`);
      const body = new Uint8Array(size - 0x200 - 200);
      for (let i = 0; i < body.length; i += 4096) body[i] = i & 0xff;
      const image = buildImage({ body, version: '1.0.0', signingKey: privateKey });
      writeFileSync(file, image);
      const memSeconds = bestOf(() => createHash('sha256').update(image).digest());
      const sumSeconds = sha256sumSeconds(file, empty); // also warms the page cache for both
      const c = spawnSync(process.execPath, [...process.execArgv, import.meta.filename, '--child', file, pemFile], { encoding: 'utf8' });
      if (c.status !== 0) throw new Error(`child failed: ${c.stderr}`);
      const r = JSON.parse(c.stdout) as ChildResult;
      if (!r.valid) throw new Error('the benchmark image did not verify');
      const mb = size / 1e6;
      rows.push(
        [
          `${String(size / MiB).padStart(3)} MiB`,
          `verify ${(mb / r.bestSeconds).toFixed(0).padStart(5)} MB/s`,
          `sha256sum ${(mb / sumSeconds).toFixed(0).padStart(5)} MB/s`,
          `ratio ${(sumSeconds / r.bestSeconds).toFixed(2)} (target ≥ 0.80)`,
          `vs in-memory SHA-256 ${(memSeconds / r.bestSeconds).toFixed(2)}`,
          `peak RSS growth (sampled) ${r.rssGrowthMiB.toFixed(1)} MiB`,
          `peak heap+buffers growth ${r.heapGrowthMiB.toFixed(1)} MiB`,
        ].join('  '),
      );
    }
    console.log('image verification (Ed25519 over SHA-256, 1 MiB chunks, warm page cache, best of 3)');
    for (const r of rows) console.log('  ' + r);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3] as string, process.argv[4] as string);
} else {
  await main();
}
