import { FieldCmd, SmpGroup } from '../smp/constants';
import { MgmtErr } from '../smp/error-codes';
import { isWrite, legacyFail, ok, type LedPattern, type SimDeviceContext, type SimGroup, type SimReply, type SimRequest } from './handler';
import { fieldVersionText } from './slot-image';

/** Patterns the `led` command accepts (field-group.md "LED patterns"). */
const PATTERNS: readonly LedPattern[] = ['update-mode', 'receiving', 'installing', 'joined', 'error', 'identify', 'off'];
/** `identify` lasts 10 s in all (field-group.md). */
const IDENTIFY_MS = 10_000;

/**
 * The field group (64) as a *device* implements it (field-group.md): identity and led. The
 * gateway-only commands (scan, stage, batch, forward) answer ENOTSUP.
 */
export class FieldGroup implements SimGroup {
  readonly group = SmpGroup.field;

  constructor(private readonly dev: SimDeviceContext) {}

  handle(req: SimRequest): SimReply | undefined {
    const { id } = req.header;
    if (id === FieldCmd.identity && !isWrite(req)) return ok(this.identity());
    if (id === FieldCmd.led && isWrite(req)) return this.led(req);
    return undefined;
  }

  private identity() {
    const img = this.dev.flash.image(0);
    return {
      id: this.dev.id,
      board: this.dev.board,
      hw: this.dev.hwRev,
      role: 'device',
      mode: this.dev.mode,
      led: this.dev.led,
      radio: this.dev.radio,
      pan: this.dev.panId(),
      version: img ? fieldVersionText(img.version) : '0.0.0+0',
    };
  }

  private led(req: SimRequest): SimReply {
    const { target, pattern } = req.body;
    if (target !== undefined && target !== this.dev.id) return legacyFail(MgmtErr.EINVAL);
    if (typeof pattern !== 'string' || !PATTERNS.includes(pattern as LedPattern)) return legacyFail(MgmtErr.EINVAL);
    this.dev.setLed(pattern as LedPattern, pattern === 'identify' ? IDENTIFY_MS : undefined);
    return ok();
  }
}
