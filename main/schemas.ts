import { z } from 'zod';
import type { ArgsOf, Channel } from '../preload/api';

const empty = z.object({}).strict();
const path = z.string().min(1, 'a path is needed').max(4096);
const id = z.string().min(1).max(64);
/** Base64 of at most 512 MiB. */
const upload = z.object({ fileName: z.string().min(1).max(255), dataBase64: z.base64().max(Math.ceil((512 * 1024 * 1024) / 3) * 4) }).strict();

/**
 * Argument schemas, one per channel. Typed against the contract, so a schema that drifts from
 * `preload/api.ts` fails the typecheck.
 */
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
  'devices:scan': z.object({ scanMs: z.number().int().min(0).max(60_000).optional(), query: z.boolean().optional() }).strict(),
  'log:write': z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string().max(10_000) }).strict(),
};
