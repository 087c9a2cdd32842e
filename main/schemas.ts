import { z } from 'zod';
import type { ArgsOf, Channel } from '../preload/api';

const empty = z.object({}).strict();
const path = z.string().min(1, 'a path is needed').max(4096);

/**
 * Argument schemas, one per channel. Typed against the contract, so a schema that drifts from
 * `preload/api.ts` fails the typecheck.
 */
export const argSchemas: { [C in Channel]: z.ZodType<ArgsOf<C>> } = {
  'app:get-info': empty,
  'ports:list': empty,
  'ports:add-by-path': z.object({ path }).strict(),
  'ports:remove-by-path': z.object({ path }).strict(),
  'log:write': z.object({ level: z.enum(['debug', 'info', 'warn', 'error']), message: z.string().max(10_000) }).strict(),
};
