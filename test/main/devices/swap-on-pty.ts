import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../main/links/clock';
import { SerialLink } from '../../../main/links/serial-link';
import type { SimDevice } from '../../../main/sim/device';
import { openPtyPair, type PtyPair } from '../../../main/sim/pty-pair';
import { SimTransport } from '../../../main/sim/sim-transport';

/**
 * One tty path (a socat pair) with a simulated device behind it; when the first device goes down
 * for its reset, the port disappears and comes back with `next` behind it instead: another device
 * answering on the same path, as when someone swaps the cable during a reboot.
 */
export class SwapOnPty {
  private pty: PtyPair | undefined;
  private port: SerialLink | undefined;
  private transport: SimTransport;
  private readonly transports: SimTransport[] = [];
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly dir: string,
    first: SimDevice,
    private readonly next: SimDevice,
  ) {
    this.transport = this.attach(first);
    const off = first.onPower((e) => {
      if (e !== 'down') return;
      off();
      void this.step(async () => {
        await this.cutNow();
        this.transport = this.attach(next);
        await this.plugNow();
      });
    });
  }

  static async start(first: SimDevice, next: SimDevice): Promise<SwapOnPty> {
    const s = new SwapOnPty(await mkdtemp(join(tmpdir(), 'siteflash-swap-')), first, next);
    await s.step(() => s.plugNow());
    return s;
  }

  get hostPath(): string {
    return join(this.dir, 'host');
  }

  async stop(): Promise<void> {
    await this.step(() => this.cutNow());
    for (const t of this.transports) t.dispose();
    this.next.dispose();
    await rm(this.dir, { recursive: true, force: true });
  }

  private attach(device: SimDevice): SimTransport {
    const t = new SimTransport(device, { clock: systemClock, framing: 'serial', banner: false });
    t.onOutput((unit) => {
      if (this.transport === t && this.port?.isOpen) void this.port.write(unit).catch(() => undefined);
    });
    this.transports.push(t);
    return t;
  }

  private async plugNow(): Promise<void> {
    this.pty = await openPtyPair(this.hostPath, { deviceLink: join(this.dir, 'device') });
    const port = new SerialLink({ path: join(this.dir, 'device'), baudRate: 115200 });
    await port.open();
    port.onData((chunk) => this.transport.input(chunk));
    this.port = port;
  }

  private async cutNow(): Promise<void> {
    const port = this.port;
    this.port = undefined;
    await this.pty?.close();
    this.pty = undefined;
    await port?.close();
  }

  private step(f: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(f, f);
    return this.chain;
  }
}
