import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../../main/links/clock';
import { SerialLink } from '../../../main/links/serial-link';
import type { SimDevice } from '../../../main/sim/device';
import { SimTransport, type SimTransportOptions } from '../../../main/sim/sim-transport';
import { openPtyPair, type PtyPair } from '../../../main/sim/pty-pair';

/**
 * A simulated device behind a real pseudo-terminal: socat makes a tty pair, the simulator's serial
 * transport sits on one end (opened with serialport), and the client opens {@link hostPath}.
 * With `followPower`, the tty pair goes away while the device is down and comes back when it is
 * up, as a USB CDC-ACM port does across a reset.
 */
export class SimOnPty {
  readonly transport: SimTransport;
  private pty: PtyPair | undefined;
  private port: SerialLink | undefined;
  private offPower: (() => void) | undefined;
  private chain: Promise<void> = Promise.resolve();
  private deaf = false;

  private constructor(
    readonly device: SimDevice,
    private readonly dir: string,
    options: Omit<SimTransportOptions, 'framing' | 'clock'>,
  ) {
    this.transport = new SimTransport(device, { clock: systemClock, ...options, framing: 'serial', banner: false });
    this.transport.onOutput((unit) => {
      const port = this.port;
      if (port?.isOpen) void port.write(unit).catch(() => undefined);
    });
  }

  /** The tty path the client opens (stable across cuts). */
  get hostPath(): string {
    return join(this.dir, 'host');
  }

  /** Starts socat and attaches the simulator. */
  static async start(device: SimDevice, options: Omit<SimTransportOptions, 'framing' | 'clock'> & { followPower?: boolean } = {}): Promise<SimOnPty> {
    const sim = new SimOnPty(device, await mkdtemp(join(tmpdir(), 'siteflash-pty-')), options);
    await sim.restore();
    if (options.followPower) {
      sim.offPower = device.onPower((e) => void (e === 'down' ? sim.cut() : sim.restore()));
    }
    return sim;
  }

  /** From now on the bytes the host sends are lost before the device: a device that hears nothing. */
  silence(): void {
    this.deaf = true;
  }

  /** Pulls the cable: socat goes away and both ttys hang up. */
  cut(): Promise<void> {
    return this.serial(async () => {
      const port = this.port;
      this.port = undefined;
      await this.pty?.close();
      this.pty = undefined;
      await port?.close();
    });
  }

  /** Plugs the cable back in: the same paths again. */
  restore(): Promise<void> {
    return this.serial(async () => {
      if (this.pty) return;
      this.pty = await openPtyPair(this.hostPath, { deviceLink: join(this.dir, 'device') });
      const port = new SerialLink({ path: join(this.dir, 'device'), baudRate: 115200 });
      await port.open();
      port.onData((chunk) => this.deaf || this.transport.input(chunk));
      this.port = port;
    });
  }

  /** Stops socat, the transport and the device's timers, and removes the folder. */
  async stop(): Promise<void> {
    this.offPower?.();
    await this.cut();
    this.transport.dispose();
    this.device.dispose();
    await rm(this.dir, { recursive: true, force: true });
  }

  private serial(step: () => Promise<void>): Promise<void> {
    this.chain = this.chain.then(step, step);
    return this.chain;
  }
}
