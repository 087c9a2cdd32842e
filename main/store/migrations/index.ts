import type { Migration } from './migration';
import { outboxSyncCatalog } from './0001-outbox-sync-catalog';
import { jobsAudit } from './0002-jobs-audit';
import { auditChain } from './0003-audit-chain';
import { fleetRules } from './0004-fleet-rules';
import { cloudClock } from './0005-cloud-clock';

export type { Migration } from './migration';

/**
 * Every schema step, in order. To change the schema, add a file `NNNN-what-it-does.ts` next to
 * this one exporting a {@link Migration} with the next version, and append it here. Never edit
 * or reorder a step that has shipped: databases in the field already have it.
 */
export const MIGRATIONS: readonly Migration[] = [outboxSyncCatalog, jobsAudit, auditChain, fleetRules, cloudClock];
