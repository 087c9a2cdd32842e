import { OsCmd, SmpGroup } from '../smp/constants';
import { MgmtErr, OsErr } from '../smp/error-codes';
import { groupFail, isWrite, legacyFail, ok, type SimDeviceContext, type SimGroup, type SimReply, type SimRequest } from './handler';

/** Options of the simulated OS group. */
export interface OsGroupOptions {
  /** An application hook refuses reset with EBUSY unless `force` is given (smp.md §3.1). */
  refuseReset?: boolean;
  /** Bootloader mode reported by bootloader info (smp.md §3.1; default 1, swap using scratch). */
  bootloaderMode?: number;
  /**
   * Answer like the recorded Zephyr 3.5 smp_svr on native_sim (smp.md §11.2): its OS info texts,
   * no bootloader info (rc 8), and its task statistics.
   */
  zephyr35?: boolean;
}

/** Task statistics as smp_svr answered them (transcripts/zephyr-smp-svr.json, `taskstat`). */
const ZEPHYR_TASKS = new Map([
  ['-16', { prio: -16, tid: 0, state: 16 }],
  ['3', { prio: 3, tid: 1, state: 128 }],
  ['-1', { prio: -1, tid: 2, state: 2 }],
  ['15', { prio: 15, tid: 3, state: 0 }],
  ['0', { prio: 0, tid: 4, state: 16 }],
]);

/** OS/application info fields in their fixed output order (smp.md §3.1 "format letters"). */
const INFO_ORDER = ['s', 'n', 'r', 'v', 'b', 'm', 'p', 'i', 'o'] as const;

/** The OS group (0): echo, reset, mcumgr parameters, OS info, bootloader info (smp.md §3.1). */
export class OsGroup implements SimGroup {
  readonly group = SmpGroup.os;

  constructor(
    private readonly dev: SimDeviceContext,
    private readonly opts: OsGroupOptions = {},
  ) {}

  handle(req: SimRequest): SimReply | undefined {
    const { id } = req.header;
    const write = isWrite(req);
    if (id === OsCmd.echo) {
      return typeof req.body.d === 'string' ? ok({ r: req.body.d }) : legacyFail(MgmtErr.EINVAL);
    }
    if (id === OsCmd.reset && write) return this.reset(req);
    if (id === OsCmd.mcumgrParams && !write) return ok({ buf_size: this.dev.bufSize, buf_count: this.dev.bufCount });
    if (id === OsCmd.info && !write) return this.info(req);
    if (this.opts.zephyr35) return id === OsCmd.taskStats && !write ? ok({ tasks: ZEPHYR_TASKS }) : undefined;
    if (id === OsCmd.bootloaderInfo && !write) return this.bootloaderInfo(req);
    return undefined;
  }

  private reset(req: SimRequest): SimReply {
    const force = typeof req.body.force === 'number' && req.body.force !== 0;
    if (this.opts.refuseReset && !force) return legacyFail(MgmtErr.EBUSY);
    return { body: {}, after: () => this.dev.scheduleReset() };
  }

  private info(req: SimRequest): SimReply {
    const format = typeof req.body.format === 'string' ? req.body.format : 's';
    if (/[^snrvbmpioa]/.test(format)) return groupFail(req, SmpGroup.os, OsErr.INVALID_FORMAT);
    const values: Record<(typeof INFO_ORDER)[number], string> = this.opts.zephyr35 ? {
      s: 'Zephyr',
      n: 'unknown',
      r: 'v3.5.0',
      v: '3.5.0',
      b: '',
      m: 'posix',
      p: 'unknown',
      i: this.dev.board,
      o: 'Zephyr',
    } : {
      s: 'Zephyr',
      n: this.dev.id,
      r: '3.7.0',
      v: 'v3.7.0',
      b: 'Mon Nov 23 12:00:00 2026',
      m: 'arm',
      p: 'cortex-m4',
      i: `${this.dev.board}/${this.dev.hwRev}`,
      o: 'Zephyr',
    };
    const all = format.includes('a');
    const parts = INFO_ORDER.filter((k) => all || format.includes(k)).map((k) => values[k]);
    // An empty field is one the build leaves out (smp_svr: no build date, CONFIG_MCUMGR_GRP_OS_INFO_BUILD_DATE_TIME=n).
    return ok({ output: parts.filter((p) => p !== '').join(' ') });
  }

  private bootloaderInfo(req: SimRequest): SimReply {
    const query = req.body.query;
    if (query === undefined) return ok({ bootloader: 'MCUboot' });
    if (query === 'mode') return ok({ mode: this.opts.bootloaderMode ?? 1 });
    return groupFail(req, SmpGroup.os, OsErr.QUERY_YIELDS_NO_ANSWER);
  }
}
