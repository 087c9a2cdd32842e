/**
 * `siteflash audit verify [--json]`: walks the hash chains of the audit log and the job events
 * (main/store/README.md "Hash chains"). Exit 0 when both are intact, 1 naming the first row that
 * was edited, removed, reordered or cut off the end.
 */
import { verifyChains, type ChainVerdict } from '../../store/chain-verify';
import { openDatabase } from '../../store/database';
import { EXIT, parseOptions, type Command } from '../command';

const NAMES = { audit: 'audit log', events: 'job events' } as const;

export const auditVerifyCommand: Command = {
  name: 'audit verify',
  summary: 'Check the audit log and job events hash chains: exit 0 intact, 1 naming the first edited, removed or reordered row',
  usage: 'audit verify [--json]',
  async run(argv, ctx) {
    parseOptions(argv, {}, false);
    const { db } = openDatabase({ dataDir: ctx.dataDir });
    let verdicts: ChainVerdict[];
    try {
      verdicts = verifyChains(db);
    } finally {
      db.close();
    }
    const intact = verdicts.every((v) => v.intact);
    if (ctx.json) ctx.out(JSON.stringify({ intact, chains: verdicts }, null, 2));
    else {
      for (const v of verdicts) {
        if (v.intact) ctx.out(`${NAMES[v.chain]}: intact, ${v.rows} rows, head ${v.head.id === 0 ? '(empty)' : `row ${v.head.id} ${v.head.hash}`}`);
        else ctx.out(`${NAMES[v.chain]}: BROKEN — ${v.problem?.message ?? ''}`);
      }
    }
    return intact ? EXIT.ok : EXIT.failed;
  },
};
