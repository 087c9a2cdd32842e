import type { Clock } from '../../links/clock';
import { loadNoble, type NobleLike } from '../../links/ble-noble';
import { DEFAULT_SCAN_MS, listDevices, type DeviceSources, type ListedDevice, type ListProblem } from '../../links/device-list';
import type { LinkDescriptor } from '../../links/factory';
import { loadNodeHid } from '../../links/hid-node';
import type { Link } from '../../links/link';
import { osPortLister } from '../../ports/os-ports';
import { EXIT, parseOptions, UsageError, type Command } from '../command';
import { terminalSafe } from '../terminal-text';

/** What `siteflash devices` uses of the world; tests pass doubles of noble and node-hid. */
export interface DevicesCommandDeps {
  sources: DeviceSources;
  clock?: Clock;
  openLink?: (descriptor: LinkDescriptor) => Link;
}

/** `siteflash devices [--scan-ms N] [--query] [--json]`: serial ports, BLE peripherals and HID interfaces in one list. */
export function makeDevicesCommand(deps: Partial<DevicesCommandDeps> = {}): Command {
  return {
    name: 'devices',
    summary: 'List devices on serial, Bluetooth LE (SMP service) and USB HID, with --query asking each who it is',
    usage: 'devices [--scan-ms N] [--query] [--json]',
    async run(argv, ctx) {
      const { values } = parseOptions(argv, { 'scan-ms': { type: 'string' }, query: { type: 'boolean', default: false } }, false);
      const scanMs = values['scan-ms'] === undefined ? DEFAULT_SCAN_MS : Number(values['scan-ms']);
      if (!Number.isInteger(scanMs) || scanMs < 0 || scanMs > 60_000) throw new UsageError('--scan-ms takes a whole number of milliseconds up to 60000.');
      let noble: NobleLike | undefined;
      const sources = deps.sources ?? { serial: osPortLister(), noble: async () => (noble = await loadNoble()), hid: loadNodeHid };
      const { devices, problems } = await listDevices(sources, {
        scanMs,
        query: values.query,
        signal: ctx.signal,
        ...(deps.clock ? { clock: deps.clock } : {}),
        ...(deps.openLink ? { openLink: deps.openLink } : {}),
      }).finally(() => noble?.stop?.());
      if (ctx.json) ctx.out(JSON.stringify({ devices, problems }, null, 2));
      else {
        ctx.out(devices.length ? formatDevices(devices, values.query) : 'No devices found.');
        for (const p of problems) ctx.err(terminalSafe(formatProblem(p)));
      }
      return EXIT.ok;
    },
  };
}

/** The command as the CLI registers it. */
export const devicesCommand = makeDevicesCommand();

function formatDevices(devices: ListedDevice[], queried: boolean): string {
  const rows = devices.map((d) => {
    const row = [d.link, d.address, d.name ?? '-', d.rssi === undefined ? '-' : `${d.rssi} dBm`, d.vendorId ? `${d.vendorId}:${d.productId ?? '????'}` : '-', d.serialNumber ?? '-'];
    return queried ? [...row, describeReport(d)] : row;
  });
  const header = ['LINK', 'ADDRESS', 'NAME', 'RSSI', 'USB ID', 'SERIAL'];
  rows.unshift(queried ? [...header, 'DEVICE SAYS'] : header);
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((cell, i) => (i < widths.length ? cell.padEnd(widths[i] ?? 0) : cell)).join('  ').trimEnd()).join('\n');
}

function describeReport(d: ListedDevice): string {
  if (d.queryError) return `no answer: ${d.queryError.message}`;
  const r = d.report;
  if (!r) return '-';
  if (r.identity) {
    const i = r.identity;
    return `${i.id} ${i.board} hw ${i.hw} ${i.role} ${i.mode} mode v${i.version}`;
  }
  const params = r.params ? ` (SMP ${r.params.bufCount} × ${r.params.bufSize} B)` : '';
  return `${r.osInfo ?? 'SMP device'}${params}`;
}

function formatProblem(p: ListProblem): string {
  const kind = { serial: 'serial', ble: 'Bluetooth', hid: 'USB HID' }[p.link];
  return `${kind}: ${p.message}${p.hint ? `\n  ${p.hint}` : ''}`;
}
