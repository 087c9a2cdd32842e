/**
 * `siteflash preflight [--json]`: the Home screen's checklist from the command line, through the
 * core (`preflight:run`): Bluetooth, serial and HID access, keychain, disk space, clock, and the
 * release covering every device on the chosen sites' lists.
 */
import type { PreflightCheck, PreflightReport } from '../../../preload/api';
import { Core } from '../../core';
import { loadNoble, type NobleLike } from '../../links/ble-noble';
import { loadNodeHid } from '../../links/hid-node';
import { EXIT, parseOptions, type Command } from '../command';

/** The status as a word and a sign, so the list reads without colour. */
const MARK: Record<PreflightCheck['status'], string> = { ok: '[ok]  ', warn: '[warn]', fail: '[FAIL]', unknown: '[?]   ' };

/** The checklist as the terminal shows it: one line per check, the fix indented under it. */
export function formatPreflight(report: PreflightReport): string {
  return report.checks.map((c) => [`${MARK[c.status]} ${c.title}: ${c.detail}`, ...(c.fix ? [`       fix: ${c.fix}`] : [])].join('\n')).join('\n');
}

export const preflightCommand: Command = {
  name: 'preflight',
  summary: 'Check this laptop before a visit: Bluetooth, serial and HID access, keychain, disk, clock, release coverage',
  usage: 'preflight [--json]',
  help: [
    'Each line is ok, warn, fail or ? (unknown: could not be decided here, e.g. no site list cached), with the fix',
    'for anything not ok. The site list is the catalog of the sites chosen for the visit (prepared while online).',
    '',
    'exit codes:',
    `  ${EXIT.ok}    nothing failed (every check ok, warn or unknown)`,
    `  ${EXIT.failed}    at least one check failed`,
    `  ${EXIT.usage}    usage error`,
  ].join('\n'),
  async run(argv, ctx) {
    parseOptions(argv, {}, false);
    let noble: NobleLike | undefined;
    const core = new Core({ dataDir: ctx.dataDir, host: 'cli', logToFile: false, deviceSources: { noble: async () => (noble = await loadNoble()), hid: loadNodeHid } });
    try {
      const result = await core.invoke('preflight:run', {});
      if (!result.ok) throw Object.assign(new Error(result.error.message), { kind: result.error.kind });
      const report = result.value;
      ctx.out(ctx.json ? JSON.stringify(report, null, 2) : formatPreflight(report));
      return report.checks.some((c) => c.status === 'fail') ? EXIT.failed : EXIT.ok;
    } finally {
      // noble's adapter socket would keep the process alive.
      noble?.stop?.();
      await core.close();
    }
  },
};
