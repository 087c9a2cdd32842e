import type { DeviceProblem, DeviceSummary } from '../../preload/api';
import { SiteflashError } from '../errors';
import { listDevices, udpEntry, type DeviceSources, type ListedDevice } from '../links/device-list';
import { queryDevice } from '../links/device-list-query';
import { createLink, type LinkDescriptor } from '../links/factory';
import type { Link } from '../links/link';
import { parseDeviceAddress, udpLinkId } from '../links/udp-link';
import type { Logger } from '../log/logger';
import type { AddedLinks } from '../settings/added-links';
import { DeviceError } from './errors';

/** How long an added address has to answer its first query (an SMP identity, or OS info and params). */
export const ADDRESS_PROBE_TIMEOUT_MS = 1500;

/**
 * The app's one device list: serial ports (the OS list plus ports added by path), BLE peripherals
 * advertising SMP, and SMP HID interfaces; each asked who it is when `query` is set. One search at
 * a time: a second caller shares the search under way rather than opening the same ports twice.
 */
export class DeviceFinder {
  private running: Promise<{ devices: DeviceSummary[]; problems: DeviceProblem[] }> | null = null;
  /** Devices added by network address, by link id (`udp:HOST:PORT`), in the order added. */
  private readonly udp = new Map<string, { host: string; port: number }>();

  constructor(
    private readonly sources: DeviceSources,
    private readonly log: Logger,
    /** Opens a link for a probe (tests pass one to a simulator); the link factory by default. */
    private readonly openLink: (d: LinkDescriptor) => Link = (d) => createLink(d),
    /** Where the addresses are kept across restarts (main/settings/added-links.ts); none: for this run only. */
    private readonly kept?: AddedLinks,
  ) {
    // Addresses added in an earlier run are listed again (each answers, or not, when the list is asked).
    for (const id of kept?.addresses ?? []) {
      const parsed = parseDeviceAddress(id);
      if (parsed.ok) this.udp.set(udpLinkId(parsed.host, parsed.port), { host: parsed.host, port: parsed.port });
    }
  }

  /** The devices added by address, for jobs and Collect. */
  addresses(): { host: string; port: number }[] {
    return [...this.udp.values()];
  }

  /**
   * Adds a device on the network by address once it answers a short SMP query (identity, or OS
   * info and params); a bad address or a silent one is refused with what to check.
   */
  async addAddress(text: string): Promise<DeviceSummary> {
    const parsed = parseDeviceAddress(text);
    if (!parsed.ok) throw new SiteflashError('bad-address', parsed.message);
    const { host, port } = parsed;
    const id = udpLinkId(host, port);
    const entry = udpEntry({ host, port });
    try {
      entry.report = await queryDevice(this.openLink(entry.descriptor), { timeoutMs: ADDRESS_PROBE_TIMEOUT_MS });
    } catch (err) {
      const silent = err instanceof DeviceError && (err.kind === 'timeout' || err.kind === 'link-closed');
      if (silent) {
        throw new SiteflashError(
          'device-silent',
          `Nothing answered SMP at ${id} within ${ADDRESS_PROBE_TIMEOUT_MS / 1000} s. Check the address and port (Zephyr's SMP UDP port is 1337), that the device is powered and on this network, and that its SMP UDP server is enabled.`,
        );
      }
      throw err;
    }
    this.udp.set(id, { host, port });
    this.kept?.set('addresses', id, true);
    this.log.info(`device added by address: ${id}`);
    return summary(entry);
  }

  /** Forgets a device added by address. */
  removeAddress(address: string): void {
    if (!this.udp.delete(address)) throw new SiteflashError('address-not-found', `${address} was not added by address.`);
    this.kept?.set('addresses', address, false);
  }

  scan(options: { scanMs?: number; query?: boolean } = {}): Promise<{ devices: DeviceSummary[]; problems: DeviceProblem[] }> {
    this.running ??= listDevices({ ...this.sources, udp: () => this.addresses() }, { ...(options.scanMs !== undefined ? { scanMs: options.scanMs } : {}), query: options.query ?? false })
      .then(({ devices, problems }) => {
        for (const p of problems) this.log.info(`no ${p.link} devices: ${p.message}`);
        return { devices: devices.map(summary), problems };
      })
      .finally(() => (this.running = null));
    return this.running;
  }
}

function summary(d: ListedDevice): DeviceSummary {
  const { descriptor: _descriptor, report, ...rest } = d;
  if (!report) return rest;
  return {
    ...rest,
    report: {
      source: report.source,
      ...(report.identity ? { identity: report.identity } : {}),
      ...(report.osInfo !== undefined ? { osInfo: report.osInfo } : {}),
      ...(report.params ? { bufSize: report.params.bufSize, bufCount: report.params.bufCount } : {}),
    },
  };
}
