import { z } from 'zod';

// Mirrors components.schemas of resources/openapi.yaml; the server's answers are checked with
// these before anything reaches the database.

const id = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/** GET /v1/health */
export const healthSchema = z.object({ status: z.literal('ok'), time: z.string() });

/** GET /v1/me */
export const technicianSchema = z.object({ id, name: z.string() });

export const projectSchema = z.object({ id, name: z.string() });
/** A device group of a site with its target system version (fleet rules). */
export const deviceGroupSchema = z.object({ id, name: z.string(), targetVersion: z.string().nullable().optional() });
// The fleet-rule fields came after the first catalog: a server that does not send them means "no rule".
export const siteSchema = z.object({
  id,
  projectId: id,
  name: z.string(),
  targetVersion: z.string().nullable().optional(),
  groups: z.array(deviceGroupSchema).optional(),
});
/** An image version as a pin names it: `major.minor.revision` with an optional `+build`. */
const pinnedVersion = z.string().regex(/^\d+\.\d+\.\d+(\+\d+)?$/, 'must be an image version like 1.4.2+0');
export const deviceSchema = z
  .object({
    id,
    siteId: id,
    name: z.string(),
    board: z.string(),
    hwRev: z.string().nullable(),
    targetVersion: z.string().nullable(),
    location: z.string().max(200).nullable().optional(),
    group: id.nullable().optional(),
    pinnedVersion: pinnedVersion.nullable().optional(),
    locked: z.boolean().optional(),
    lockReason: z.string().max(500).nullable().optional(),
    development: z.boolean().optional(),
  })
  .refine((d) => d.locked !== true || (d.lockReason ?? '').trim() !== '', { message: 'a locked device needs a lockReason', path: ['lockReason'] });
export const systemVersionSchema = z.object({
  version: z.string(),
  bundle: z.object({ id, size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
});

export const projectsSchema = z.object({ projects: z.array(projectSchema) });
export const devicesSchema = z.object({ devices: z.array(deviceSchema) });
export const systemVersionsSchema = z.object({ systemVersions: z.array(systemVersionSchema) });

/** Per-item answer of an upload batch. */
export const uploadAckSchema = z.object({
  items: z.array(
    z.object({
      idempotencyKey: z.string(),
      status: z.enum(['accepted', 'duplicate', 'rejected']),
      error: z.string().optional(),
    }),
  ),
});
export type UploadAck = z.infer<typeof uploadAckSchema>;

/** Upload endpoint per outbox kind. */
export const UPLOAD_PATH = { result: '/v1/results/batch', audit: '/v1/audit-events/batch' } as const;
