import { z } from 'zod';
import type { ArgsOf, Channel } from '../preload/api';

const empty = z.object({}).strict();
const path = z.string().min(1, 'a path is needed').max(4096);
const id = z.string().min(1).max(64);
/** Base64 of at most 512 MiB. */
/** An upload's id, as `upload:begin` gives it. */
const uploadId = z.string().regex(/^[0-9a-f]{32}$/, 'an upload id from upload:begin');
const upload = z.object({ fileName: z.string().min(1).max(255), dataBase64: z.base64().max(Math.ceil((512 * 1024 * 1024) / 3) * 4) }).strict();

/**
 * Argument schemas, one per channel. Typed against the contract, so a schema that drifts from
 * `preload/api.ts` fails the typecheck.
 */
const jobId = z.string().min(1).max(64);
const deviceId = z.string().regex(/^[0-9a-f]{16}$/, 'an EUI-64 as 16 lower-case hex digits');
const target = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('serial'), path, baudRate: z.number().int().min(1200).max(12_000_000).optional() }).strict(),
  z.object({ kind: z.literal('ble'), address: z.string().min(1).max(64) }).strict(),
  z.object({ kind: z.literal('hid'), path }).strict(),
  z.object({ kind: z.literal('udp'), host: z.string().min(1).max(253), port: z.number().int().min(1).max(65_535) }).strict(),
  z.object({ kind: z.literal('gateway'), deviceId, gatewayId: deviceId.optional() }).strict(),
  z.object({ kind: z.literal('demo'), deviceId }).strict(),
]);
/** Gateway batch settings (field-group.md `batch`): the ranges a technician may pick under "Advanced". */
const batchSize = z.number({ message: 'the batch size must be a number' }).int('the batch size must be a whole number').min(1, 'the batch size must be at least 1 device').max(100, 'the batch size can be at most 100 devices');
const redundancy = z.number({ message: 'the redundancy must be a number' }).int('the redundancy must be a whole percent').min(0, 'the redundancy cannot be below 0 %').max(100, 'the redundancy can be at most 100 %');
const gatewayBatch = z.object({ batchSize, redundancy }).strict();

const policy = z
  .object({
    ledConfirm: z.boolean(),
    retries: z.number().int().min(0).max(20),
    afterRejoin: z.enum(['confirm', 'leave-in-test']),
    backoff: z.object({ baseMs: z.number().int().min(0).max(60_000), capMs: z.number().int().min(0).max(600_000) }).strict().optional(),
    rejoinTimeoutMs: z.number().int().min(1000).max(3_600_000).optional(),
    allowDowngrade: z.boolean().optional(),
  })
  .strict();
/** An LED answer given before the job (Collect): seen or not, epoch ms. */
const ledAnswer = z.object({ seen: z.boolean(), at: z.number().int().min(0) }).strict();
const endState = z.enum(['done', 'failed', 'rolled-back', 'cancelled']);
const historyFilter = z
  .object({
    jobId: jobId.optional(),
    site: z.string().max(200).optional(),
    device: z.string().max(200).optional(),
    result: endState.optional(),
    from: z.number().int().optional(),
    to: z.number().int().optional(),
    limit: z.number().int().min(1).max(100_000).optional(),
  })
  .strict();
const jobDevice = z.object({ jobId, deviceKey: z.string().min(1).max(300).optional() }).strict();

export const argSchemas: { [C in Channel]: z.ZodType<ArgsOf<C>> } = {
  'app:get-info': empty,
  'ports:list': empty,
  'ports:add-by-path': z.object({ path }).strict(),
  'ports:remove-by-path': z.object({ path }).strict(),
  'keys:list': empty,
  'keys:import': z.object({ name: z.string().min(1).max(64), role: z.enum(['image', 'release']), pem: z.string().min(1).max(64 * 1024) }).strict(),
  'releases:list': empty,
  'releases:import-file': upload,
  'releases:import-path': z.object({ path }).strict(),
  'releases:import-demo': empty,
  'releases:verify': z.object({ id }).strict(),
  'releases:remove': z.object({ id }).strict(),
  'image:check': upload,
  'upload:begin': z.object({ fileName: z.string().min(1).max(255), size: z.number().int().min(0).max(512 * 1024 * 1024) }).strict(),
  'upload:chunk': z.object({ uploadId, seq: z.number().int().min(0).max(1 << 20), data: z.instanceof(Uint8Array) }).strict(),
  'upload:abort': z.object({ uploadId }).strict(),
  'releases:import-upload': z.object({ uploadId }).strict(),
  'image:check-upload': z.object({ uploadId }).strict(),
  'devices:scan': z.object({ scanMs: z.number().int().min(0).max(60_000).optional(), query: z.boolean().optional() }).strict(),
  'settings:get': empty,
  'settings:set': z
    .object({
      siteName: z.string().max(200).optional(),
      technician: z.string().max(200).optional(),
      cloudUrl: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).optional(),
      siteIds: z.array(z.string().min(1).max(200)).max(100).optional(),
    })
    .strict(),
  'sync:status': empty,
  'sync:now': empty,
  'sync:prepare': z.object({ siteIds: z.array(z.string().min(1).max(200)).min(1).max(100) }).strict(),
  'secrets:status': empty,
  'secrets:set-net-key': z.object({ projectId: z.string().min(1).max(64), keyHex: z.string().regex(/^[0-9a-fA-F]{32}$/, 'the key is 16 bytes: 32 hex digits') }).strict(),
  'secrets:set-cloud-token': z.object({ token: z.string().min(1).max(8192) }).strict(),
  'job:start': z
    .object({
      kind: z.enum(['firmware', 'network', 'commission']).optional(),
      bundleId: id.optional(),
      network: z
        .object({
          projectId: z.string().min(1).max(64),
          panId: z.number().int().min(0).max(0xffff),
          channel: z.number().int().min(0).max(0xff),
          security: z.enum(['none', 'aes-ccm-32', 'aes-ccm-64', 'aes-ccm-128']),
        })
        .strict()
        .optional(),
      targets: z.array(z.object({ link: target, expectedDeviceId: deviceId.optional(), updateModeLed: ledAnswer.optional(), oneByOne: z.boolean().optional() }).strict()).min(1).max(500),
      policy,
      gatewayBatch: gatewayBatch.optional(),
    })
    .strict()
    .refine((r) => (r.kind ?? 'firmware') === 'network' || r.bundleId !== undefined, { message: 'a release (bundleId) is needed', path: ['bundleId'] })
    .refine((r) => (r.kind ?? 'firmware') === 'firmware' || r.network !== undefined, { message: 'network settings are needed', path: ['network'] }),
  'job:list': empty,
  'job:pause': jobDevice,
  'job:resume': jobDevice,
  'job:cancel': jobDevice,
  'job:answer-led': z.object({ jobId, deviceKey: z.string().min(1).max(300), seen: z.boolean() }).strict(),
  'job:retry-failed': z.object({ jobId }).strict(),
  'history:query': historyFilter,
  'history:export-csv': historyFilter,
  'gateway:connect': z.object({ path, baudRate: z.number().int().min(1200).max(12_000_000).optional() }).strict(),
  'gateway:status': empty,
  'gateway:disconnect': z.object({ id: deviceId.optional() }).strict(),
  'gateway:list': empty,
  'collect:start': empty,
  'collect:stop': empty,
  'collect:answer-led': z.object({ deviceId, seen: z.boolean().nullable() }).strict(),
  'collect:choose': z.object({ deviceId, on: z.boolean(), oneByOne: z.boolean().optional() }).strict(),
  'collect:choose-many': z.object({ deviceIds: z.array(deviceId).max(5000), on: z.boolean() }).strict(),
  'collect:confirm-leds': z.object({ exceptions: z.array(deviceId).max(5000) }).strict(),
  'gateway:radio-time': z.object({ bundleId: id, boards: z.array(z.string().min(1).max(64)).max(5000), batchSize, redundancy }).strict(),
  'devices:identify': z.object({ target }).strict(),
  'demo:start': empty,
  'demo:status': empty,
  'demo:stop': empty,
  'demo:update-mode': z.object({ deviceId }).strict(),
  'demo:inject-failure': z.object({ deviceId }).strict(),
  'log:write': z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string().max(10_000) }).strict(),
  'keys:laptop': empty,
  'report:visits': empty,
  'report:export': z
    .object({ visitId: z.string().min(1).max(200).optional(), jobId: jobId.optional() })
    .strict()
    .refine((a) => (a.visitId === undefined) !== (a.jobId === undefined), 'give a visit id or a job id'),
  'report:export-pdf': z
    .object({ visitId: z.string().min(1).max(200).optional(), jobId: jobId.optional() })
    .strict()
    .refine((a) => (a.visitId === undefined) !== (a.jobId === undefined), 'give a visit id or a job id'),
  'device:image-state': z.object({ target }).strict(),
  'device:image-erase': z.object({ target, slot: z.number().int().min(0).max(255).optional() }).strict(),
  'device:image-confirm': z.object({ target, hash: z.string().regex(/^[0-9a-f]{8,128}$/, 'hex, at least 8 digits of a slot\'s hash').optional() }).strict(),
  'device:reset': z.object({ target }).strict(),
  'devices:add-address': z.object({ address: z.string().max(300) }).strict(),
  'devices:remove-address': z.object({ address: z.string().min(1).max(300) }).strict(),
  'site:checklist': empty,
  'preflight:run': z
    .object({ bundleId: id.optional(), targets: z.array(z.object({ link: target, expectedDeviceId: deviceId.optional() }).strict()).max(500).optional() })
    .strict(),
};
