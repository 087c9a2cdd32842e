/**
 * SMP protocol constants: header layout, ops, versions, groups and command ids.
 * Each block names the section of spec/smp.md (or spec/field-group.md) it comes from.
 */

/** Size of the SMP header in bytes (smp.md §1). */
export const SMP_HEADER_SIZE = 8;

/** Largest body a header can announce: `length` is a u16 (smp.md §1). */
export const SMP_MAX_BODY = 0xffff;

/** Header op field values (smp.md §1). A response op is the request op + 1. */
export const SmpOp = {
  read: 0,
  readResponse: 1,
  write: 2,
  writeResponse: 3,
} as const;
export type SmpOpValue = (typeof SmpOp)[keyof typeof SmpOp];

/** Header version field values (smp.md §1): 0 = "SMP version 1" (legacy errors), 1 = "SMP version 2". */
export const SmpVersion = {
  v1: 0,
  v2: 1,
} as const;

/** Management group ids (smp.md §3; field group: field-group.md). */
export const SmpGroup = {
  os: 0,
  image: 1,
  stats: 2,
  settings: 3,
  log: 4,
  crash: 5,
  split: 6,
  run: 7,
  fs: 8,
  shell: 9,
  enumeration: 10,
  zephyrBasic: 63,
  field: 64,
} as const;

/** OS group (0) command ids (smp.md §3.1). */
export const OsCmd = {
  echo: 0,
  consoleEcho: 1,
  taskStats: 2,
  memoryPoolStats: 3,
  dateTime: 4,
  reset: 5,
  mcumgrParams: 6,
  info: 7,
  bootloaderInfo: 8,
} as const;

/** Image group (1) command ids (smp.md §3.2). */
export const ImageCmd = {
  state: 0,
  upload: 1,
  file: 2,
  corelist: 3,
  coreload: 4,
  erase: 5,
  slotInfo: 6,
} as const;

/** Statistics group (2) command ids (smp.md §3.5). */
export const StatsCmd = {
  read: 0,
  list: 1,
} as const;

/** Settings group (3) command ids (smp.md §3.3): id 0 is read (R) or write (W); id 3 is load (R) or save (W). */
export const SettingsCmd = {
  readWrite: 0,
  delete: 1,
  commit: 2,
  loadSave: 3,
} as const;

/** Shell group (9) command ids (smp.md §3.4). */
export const ShellCmd = {
  exec: 0,
} as const;

/** Field group (64) command ids (field-group.md "Commands"). */
export const FieldCmd = {
  identity: 0,
  scan: 1,
  stage: 2,
  batch: 3,
  batchStatus: 4,
  batchCancel: 5,
  forward: 6,
  led: 7,
} as const;

/** The op a server answers with for a request op (smp.md §1: response op = request op + 1). */
export function responseOp(requestOp: number): SmpOpValue {
  return requestOp === SmpOp.write ? SmpOp.writeResponse : SmpOp.readResponse;
}

/** True for the two response ops (1 and 3). */
export function isResponseOp(op: number): boolean {
  return op === SmpOp.readResponse || op === SmpOp.writeResponse;
}
