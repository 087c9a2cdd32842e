// Run in a child process with no reachable Secret Service by keychain-unavailable.test.ts.
import { SecretStore } from '../../../main/secrets/secret-store';

const value = process.argv[2] ?? '';
const store = new SecretStore();
const out: Record<string, unknown> = {};
for (const [op, run] of [
  ['set', () => store.set('cloud-token', value)],
  ['get', () => store.get('cloud-token')],
  ['has', () => store.has('net-key:p-north')],
  ['list', () => store.list()],
] as const) {
  try {
    out[op] = { ok: true, value: await run() };
  } catch (err) {
    const e = err as { kind?: string; message?: string };
    out[op] = { ok: false, kind: e.kind, message: e.message };
  }
}
process.stdout.write(JSON.stringify(out));
