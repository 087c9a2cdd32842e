import type { DeviceProblem, DeviceSummary } from '../../preload/api';
import { listDevices, type DeviceSources, type ListedDevice } from '../links/device-list';
import type { Logger } from '../log/logger';

/**
 * The app's one device list: serial ports (the OS list plus ports added by path), BLE peripherals
 * advertising SMP, and SMP HID interfaces; each asked who it is when `query` is set. One search at
 * a time: a second caller shares the search under way rather than opening the same ports twice.
 */
export class DeviceFinder {
  private running: Promise<{ devices: DeviceSummary[]; problems: DeviceProblem[] }> | null = null;

  constructor(
    private readonly sources: DeviceSources,
    private readonly log: Logger,
  ) {}

  scan(options: { scanMs?: number; query?: boolean } = {}): Promise<{ devices: DeviceSummary[]; problems: DeviceProblem[] }> {
    this.running ??= listDevices(this.sources, { ...(options.scanMs !== undefined ? { scanMs: options.scanMs } : {}), query: options.query ?? false })
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
