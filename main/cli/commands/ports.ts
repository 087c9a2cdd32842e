import type { PortInfo } from '../../../preload/api';
import { LogHub } from '../../log/logger';
import { osPortLister } from '../../ports/os-ports';
import { PortWatcher } from '../../ports/port-watcher';
import { EXIT, parseOptions, type Command } from '../command';

/** `siteflash ports [--watch]`: the serial ports present, and with --watch the ones coming and going. */
export const portsCommand: Command = {
  name: 'ports',
  summary: 'List serial ports (path, USB vendor:product, maker, serial number)',
  usage: 'ports [--watch] [--json]',
  async run(argv, ctx) {
    const { values } = parseOptions(argv, { watch: { type: 'boolean', default: false } }, false);
    const lister = osPortLister();
    if (!values.watch) {
      const ports = await lister();
      if (ctx.json) ctx.out(JSON.stringify({ ports }, null, 2));
      else ctx.out(ports.length ? formatPorts(ports) : 'No serial ports found.');
      return EXIT.ok;
    }
    const logs = new LogHub(null);
    logs.onLine((line) => ctx.err(`${line.level}: ${line.message}`));
    const watcher = new PortWatcher(lister, logs.logger('siteflash:ports'));
    const print = (event: 'added' | 'removed') => (port: PortInfo) =>
      ctx.out(ctx.json ? JSON.stringify({ event, port }) : `${event === 'added' ? '+' : '-'} ${formatPorts([port], false)}`);
    watcher.on('added', print('added'));
    watcher.on('removed', print('removed'));
    watcher.start();
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    watcher.stop();
    return EXIT.ok;
  },
};

function formatPorts(ports: PortInfo[], header = true): string {
  const rows = ports.map((p) => [p.path, p.vendorId ? `${p.vendorId}:${p.productId ?? '????'}` : '-', p.manufacturer ?? '-', p.serialNumber ?? '-']);
  if (header) rows.unshift(['PORT', 'USB ID', 'MAKER', 'SERIAL']);
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows.map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n');
}
