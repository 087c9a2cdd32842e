import { execFile, execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../../main/cli/command';
import type { VisitReport } from '../../../main/report/types';
import { localDate } from '../../../main/report/visits';
import { keychainService } from '../../../main/secrets/secret-names';
import { SecretStore } from '../../../main/secrets/secret-store';
import { BOARD } from '../jobs/sim-fleet';
import { backupDatabase, REAL_SITE, REAL_TECHNICIAN, runRealJob } from '../store/real-journal';

const root = resolve(import.meta.dirname, '..', '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'siteflash-visit-report-'));
const dataDir = join(dir, 'data');
const out = join(dir, 'out');
/** Page 1 of the PDF as a picture, kept after the run for a person to look at. */
const PAGE1_PNG = join(tmpdir(), 'siteflash-visit-report-page1');
let deviceIds: string[] = [];
afterAll(() => (process.env.KEEP_REPORT_DIR ? undefined : rmSync(dir, { recursive: true, force: true })));

/** Runs the built `siteflash` as a user would; resolves with its exit code and output. */
function cli(args: string[], data = dataDir): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(process.execPath, [join(root, 'main', 'cli', 'bin.js'), ...args], { env: { ...process.env, SITEFLASH_DATA_DIR: data }, timeout: 180_000 }, (err, stdout, stderr) =>
      done({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr }),
    ),
  );
}

/** `openssl pkeyutl -verify -rawin` with Ed25519: the independent check of a detached signature. */
function opensslVerifies(file: string, sig: string, pubPem: string): boolean {
  const pub = join(dir, `pub-${Math.random().toString(16).slice(2)}.pem`);
  writeFileSync(pub, pubPem);
  try {
    const text = execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pub, '-rawin', '-in', file, '-sigfile', sig], { encoding: 'utf8', stdio: 'pipe' });
    return /Signature Verified Successfully/.test(text);
  } catch {
    return false;
  }
}

function filesUnder(d: string): string[] {
  return readdirSync(d).flatMap((name) => {
    const p = join(d, name);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('the signed visit report, made by the built CLI from a real journal', () => {
  let visitId = '';
  let jsonPath = '';
  let report: VisitReport;

  beforeAll(async () => {
    expect(existsSync(join(root, 'out', 'main', 'cli.js')), 'run `npm run build` before the tests').toBe(true);
    mkdirSync(dataDir, { recursive: true });
    deviceIds = await runRealJob(dataDir, dir);
  }, 120_000);

  it('shows the laptop key (made on first use, the same afterwards) with its fingerprint', async () => {
    const first = await cli(['keys', 'laptop', '--json']);
    expect(first.code, first.stderr).toBe(EXIT.ok);
    const a = JSON.parse(first.stdout) as { fingerprint: string; publicKeyPem: string; createdNow: boolean };
    const second = JSON.parse((await cli(['keys', 'laptop', '--json'])).stdout) as typeof a;
    expect(second.fingerprint).toBe(a.fingerprint);
    expect(second.createdNow).toBe(false);
    expect(createPublicKey(a.publicKeyPem).asymmetricKeyType).toBe('ed25519');
    expect(a.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    const plain = await cli(['keys', 'laptop']);
    expect(plain.stdout).toContain(`laptop key ed25519  ${a.fingerprint}`);
  });

  it('lists the visit and exports its report: JSON, signature, HTML and PDF', async () => {
    const list = JSON.parse((await cli(['report', 'list', '--json'])).stdout) as { visits: { id: string; site: string; jobIds: string[] }[] };
    expect(list.visits).toHaveLength(1);
    visitId = list.visits[0]?.id ?? '';
    expect(visitId).toBe(`${localDate(Date.now())}_plant-7_ada-tech`);
    const r = await cli(['report', 'export', '--visit', visitId, '--out', out, '--json']);
    expect(r.code, r.stderr).toBe(EXIT.ok);
    const paths = JSON.parse(r.stdout) as { json: string; signature: string; html: string; pdf: string };
    jsonPath = paths.json;
    for (const p of [paths.json, paths.signature, paths.html, paths.pdf]) expect(existsSync(p), p).toBe(true);
    expect(readFileSync(paths.signature)).toHaveLength(64);
    report = JSON.parse(readFileSync(jsonPath, 'utf8')) as VisitReport;
    expect(report.visit).toMatchObject({ id: visitId, site: REAL_SITE, technician: REAL_TECHNICIAN });
    expect(report.devices.map((d) => d.deviceId).sort()).toEqual([...deviceIds].sort());
    for (const d of report.devices.filter((x) => x.result === 'done')) {
      expect([d.fromVersion, d.toVersion]).toEqual(['1.0.0+0', '1.1.0+0']);
      expect(d.imageSha256).toMatch(/^[0-9a-f]{64}$/);
      expect(d.ledAnswers.map((l) => `${l.pattern}:${l.seen}`)).toEqual(['update-mode:true', 'joined:true']);
      expect(d.ledAnswers.every((l) => l.at >= d.startedAt && l.at <= d.at)).toBe(true);
    }
    expect(report.needsAttention).toEqual([expect.objectContaining({ board: 'other-board', result: 'failed', whatToTry: expect.stringMatching(/board/) as unknown })]);
    expect(report.totals).toEqual([
      { board: 'other-board', devices: 1, done: 0, failed: 1, rolledBack: 0, cancelled: 0 },
      { board: BOARD, devices: 4, done: 4, failed: 0, rolledBack: 0, cancelled: 0 },
    ]);
    expect(report.jobs[0]?.release.components[0]?.sha256).toBe(report.devices.find((d) => d.result === 'done')?.imageSha256);
  }, 180_000);

  it('has a signature openssl verifies, and one changed byte fails it (openssl and report verify)', async () => {
    const sig = `${jsonPath}.sig`;
    expect(opensslVerifies(jsonPath, sig, report.laptopKey.publicKeyPem)).toBe(true);
    const ok = await cli(['report', 'verify', jsonPath]);
    expect(ok.code, ok.stdout).toBe(EXIT.ok);
    expect(ok.stdout).toMatch(/^VALID/);
    const bytes = readFileSync(jsonPath);
    const i = bytes.indexOf(Buffer.from('"1.1.0+0"')) + 3;
    bytes[i] = 0x32; // 1.1.0 → 1.2.0 in one device row
    const changed = join(dir, 'changed.json');
    writeFileSync(changed, bytes);
    expect(opensslVerifies(changed, sig, report.laptopKey.publicKeyPem)).toBe(false);
    const bad = await cli(['report', 'verify', changed, '--sig', sig]);
    expect(bad.code).toBe(EXIT.failed);
    expect(bad.stdout).toMatch(/FAIL {2}The signature does not match/);
  });

  it('fails a report re-signed with another key whose row does not match its audit hash, and one whose key is not the expected one', async () => {
    const forged = JSON.parse(readFileSync(jsonPath, 'utf8')) as VisitReport;
    const victim = forged.devices.find((d) => d.result === 'failed');
    if (!victim) throw new Error('no failed row');
    victim.result = 'done';
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    forged.laptopKey = { ...forged.laptopKey, publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
    const text = Buffer.from(`${JSON.stringify(forged, null, 2)}\n`);
    const path = join(dir, 'forged.json');
    writeFileSync(path, text);
    writeFileSync(`${path}.sig`, sign(null, text, privateKey));
    // Checked on its own (no journal here), the row's hash gives it away.
    const empty = join(dir, 'no-journal');
    mkdirSync(empty);
    const r = await cli(['report', 'verify', path, '--json'], empty);
    expect(r.code).toBe(EXIT.failed);
    const verdict = JSON.parse(r.stdout) as { checks: { ok: boolean; what: string }[] };
    expect(verdict.checks.filter((c) => !c.ok).map((c) => c.what).join('\n')).toContain(`audit ${victim.audit.id} (${victim.deviceId ?? ''}) does not match its audit hash`);
    expect(existsSync(join(empty, 'siteflash.db'))).toBe(false);
    // A genuine report, pinned to another laptop's key.
    const pinned = await cli(['report', 'verify', jsonPath, '--fingerprint', 'ab'.repeat(32)]);
    expect(pinned.code).toBe(EXIT.failed);
  });

  it("fails a genuine report against this laptop's audit log once a row of it was edited", async () => {
    const copy = join(dir, 'tampered');
    mkdirSync(copy);
    backupDatabase(dataDir, join(copy, 'siteflash.db'));
    const id = report.devices[0]?.audit.id ?? 0;
    execFileSync('sqlite3', [join(copy, 'siteflash.db'), `DROP TRIGGER audit_log_no_update; UPDATE audit_log SET technician = 'Someone Else' WHERE id = ${id};`]);
    const r = await cli(['report', 'verify', jsonPath], copy);
    expect(r.code).toBe(EXIT.failed);
    expect(r.stdout).toContain(`audit chain is broken: audit row ${id}`);
    expect((await cli(['report', 'export', '--visit', visitId, '--out', join(dir, 'out2'), '--no-pdf'], copy)).code).toBe(EXIT.failed);
  });

  it('prints a PDF whose text holds every device row, and renders its first page', async () => {
    const pdf = jsonPath.replace(/\.json$/, '.pdf');
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
    expect(text).toContain(`Visit report — ${REAL_SITE}`);
    for (const d of report.devices) expect(text, `device ${d.deviceId}`).toMatch(new RegExp(`${d.deviceId}\\s+${d.board}\\s+${d.fromVersion?.replace(/\+/g, '\\+')}`));
    expect(text).toContain(report.laptopKey.fingerprint);
    execFileSync('pdftoppm', ['-png', '-r', '80', '-f', '1', '-l', '1', '-singlefile', pdf, PAGE1_PNG]);
    expect(statSync(`${PAGE1_PNG}.png`).size).toBeGreaterThan(10_000);
  });

  it('keeps the laptop private key only in the keychain: not in the database, logs or exported files', async () => {
    const stored = await new SecretStore({ service: keychainService({ SITEFLASH_DATA_DIR: dataDir }) }).get('laptop-key');
    if (!stored) throw new Error('no laptop key in the keychain');
    const der = Buffer.from(stored, 'base64');
    const seed = Buffer.from((createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }).export({ format: 'jwk' }) as { d: string }).d, 'base64url');
    expect(seed).toHaveLength(32);
    const needles = [Buffer.from(stored), der, seed, Buffer.from(seed.toString('hex')), Buffer.from(seed.toString('base64')), Buffer.from(seed.toString('base64url'))];
    const files = [...filesUnder(dataDir), ...filesUnder(out)];
    expect(files.some((f) => f.endsWith('siteflash.db'))).toBe(true);
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const n of needles) expect(bytes.includes(n), `${f} holds the laptop private key`).toBe(false);
    }
  });
});
