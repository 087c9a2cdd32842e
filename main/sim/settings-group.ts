import { SettingsCmd, SmpGroup } from '../smp/constants';
import { MgmtErr, SettingsErr } from '../smp/error-codes';
import { groupFail, isWrite, legacyFail, ok, type SimGroup, type SimReply, type SimRequest } from './handler';

/** Longest setting name accepted (Zephyr's settings name buffer). */
export const SETTINGS_NAME_MAX = 32;
/** Largest value the device returns in one read. */
export const SETTINGS_VALUE_MAX = 64;

/** The network settings of field-group.md "Network settings", with their value rules. */
const KNOWN: Record<string, (v: Uint8Array) => boolean> = {
  'net/pan_id': (v) => v.length === 2,
  'net/channel': (v) => v.length === 1,
  'net/key': (v) => v.length === 16,
  'net/security': (v) => ['none', 'aes-ccm-32', 'aes-ccm-64', 'aes-ccm-128'].includes(Buffer.from(v).toString('utf8')),
};
/** Readable only by writing: reads answer EACCESSDENIED (field-group.md). */
const WRITE_ONLY = new Set(['net/key']);

/**
 * The settings group (3) (smp.md §3.3): values written land in RAM, `commit` applies them to the
 * running system, `save` persists them, `load` reloads from storage; a reset keeps only what was saved.
 */
export class SettingsGroup implements SimGroup {
  readonly group = SmpGroup.settings;
  private running: Map<string, Uint8Array>;
  private applied: Map<string, Uint8Array>;
  private readonly persisted: Map<string, Uint8Array>;

  constructor(initial: Record<string, Uint8Array> = {}) {
    this.persisted = new Map(Object.entries(initial));
    this.running = new Map(this.persisted);
    this.applied = new Map(this.persisted);
  }

  /** A value as the running system uses it (after commit, or from storage at boot). */
  appliedValue(name: string): Uint8Array | undefined {
    return this.applied.get(name);
  }

  /** A value as stored in flash (what survives a reset). */
  persistedValue(name: string): Uint8Array | undefined {
    return this.persisted.get(name);
  }

  onReboot(): void {
    this.running = new Map(this.persisted);
    this.applied = new Map(this.persisted);
  }

  handle(req: SimRequest): SimReply | undefined {
    const { id } = req.header;
    const write = isWrite(req);
    if (id === SettingsCmd.readWrite) return write ? this.write(req) : this.read(req);
    if (id === SettingsCmd.delete && write) return this.delete(req);
    if (id === SettingsCmd.commit && write) {
      this.applied = new Map(this.running);
      return ok();
    }
    if (id === SettingsCmd.loadSave) return write ? this.save(req) : this.load();
    return undefined;
  }

  private read(req: SimRequest): SimReply {
    const name = this.checkName(req);
    if (typeof name !== 'string') return name;
    if (WRITE_ONLY.has(name)) return legacyFail(MgmtErr.EACCESSDENIED);
    const val = this.running.get(name);
    if (!val) return groupFail(req, this.group, SettingsErr.KEY_NOT_FOUND);
    const asked = typeof req.body.max_size === 'number' ? req.body.max_size : SETTINGS_VALUE_MAX;
    const limit = Math.min(asked, SETTINGS_VALUE_MAX);
    return ok(asked > SETTINGS_VALUE_MAX ? { val: val.slice(0, limit), max_size: SETTINGS_VALUE_MAX } : { val: val.slice(0, limit) });
  }

  private write(req: SimRequest): SimReply {
    const name = this.checkName(req);
    if (typeof name !== 'string') return name;
    const val = req.body.val;
    if (!(val instanceof Uint8Array)) return legacyFail(MgmtErr.EINVAL);
    const known = this.known(req, name);
    if (known) return known;
    if (!(KNOWN[name] as (v: Uint8Array) => boolean)(val)) return legacyFail(MgmtErr.EINVAL);
    this.running.set(name, val.slice());
    return ok();
  }

  private delete(req: SimRequest): SimReply {
    const name = this.checkName(req);
    if (typeof name !== 'string') return name;
    const known = this.known(req, name);
    if (known) return known;
    this.running.delete(name);
    this.persisted.delete(name);
    return ok();
  }

  private save(req: SimRequest): SimReply {
    const prefix = typeof req.body.name === 'string' ? req.body.name : '';
    for (const name of Object.keys(KNOWN)) {
      if (!name.startsWith(prefix)) continue;
      const v = this.running.get(name);
      if (v) this.persisted.set(name, v);
      else this.persisted.delete(name);
    }
    return ok();
  }

  private load(): SimReply {
    this.running = new Map(this.persisted);
    return ok();
  }

  private checkName(req: SimRequest): string | SimReply {
    const name = req.body.name;
    if (typeof name !== 'string') return legacyFail(MgmtErr.EINVAL);
    if (name.length > SETTINGS_NAME_MAX) return groupFail(req, this.group, SettingsErr.KEY_TOO_LONG);
    return name;
  }

  /** Undefined for a known setting, else the "not found" answer (root or key). */
  private known(req: SimRequest, name: string): SimReply | undefined {
    if (name in KNOWN) return undefined;
    return groupFail(req, this.group, name.startsWith('net/') ? SettingsErr.KEY_NOT_FOUND : SettingsErr.ROOT_KEY_NOT_FOUND);
  }
}
