import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT, type CliContext } from '../../../main/cli/command';
import { simCommand } from '../../../main/cli/commands/sim';
import { SmpSession } from '../../../main/devices/session';
import { GatewayClient } from '../../../main/gateway/gateway-client';
import { SerialLink } from '../../../main/links/serial-link';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('siteflash sim --gateway', () => {
  it('runs a gateway on a pty with N devices behind it until Ctrl-C', { timeout: 20_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sf-simgw-'));
    dirs.push(dir);
    const abort = new AbortController();
    const lines: string[] = [];
    const ctx: CliContext = { out: (t) => lines.push(t), err: (t) => lines.push(`ERR ${t}`), json: false, isTTY: false, dataDir: '/nonexistent', signal: abort.signal };
    const done = simCommand.run(['--gateway', '--devices', '5', '--baud', '1000000', '--dir', dir], ctx);
    for (let i = 0; i < 500 && !lines.some((l) => l.startsWith('Simulated gateway running')); i++) await new Promise((r) => setTimeout(r, 10));
    expect(lines[0]).toMatch(new RegExp(`^${join(dir, 'gateway')}  gateway 5f1a6a7e00000001 .* 5 sf-dev-1 devices`));

    const link = new SerialLink({ path: join(dir, 'gateway'), baudRate: 1_000_000 });
    await link.open();
    const session = new SmpSession(link, { timeoutMs: 3000 });
    const client = new GatewayClient(session);
    expect(await client.identity()).toMatchObject({ role: 'gateway' });
    const heard = await client.scan(50);
    expect(heard).toHaveLength(5);
    expect(heard.every((d) => d.mode === 'update')).toBe(true);
    session.dispose();
    await link.close();

    abort.abort();
    expect(await done).toBe(EXIT.ok);
  });

  it('refuses --devices without --gateway', async () => {
    const ctx: CliContext = { out: () => undefined, err: () => undefined, json: false, isTTY: false, dataDir: '/nonexistent', signal: new AbortController().signal };
    await expect(simCommand.run(['--devices', '3', '--dir', '/nonexistent'], ctx)).rejects.toThrow(/--devices goes with --gateway/);
  });
});
