import type { DeviceSnapshot, DeviceStateEvent, JobSnapshot } from './types';

/** Where the view writes: one call per line (the CLI's `err`, so stdout stays clean for `--json`). */
export type LineWriter = (line: string) => void;

/** One device as a fixed-width line: key, state, bar, percent, rate, ETA, reason. */
export function deviceLine(d: DeviceSnapshot, keyWidth: number): string {
  const p = d.progress;
  const pct = p.total > 0 ? Math.floor((p.bytes / p.total) * 100) : 0;
  const width = 20;
  const filled = Math.round((pct / 100) * width);
  const bar = d.state === 'transferring' || p.total > 0 ? `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(pct).padStart(3)} %` : ''.padEnd(width + 8);
  const rate = p.rate > 0 ? `${(p.rate / 1024).toFixed(1)} KiB/s` : '';
  const eta = p.etaSeconds !== null && p.rate > 0 ? `${Math.ceil(p.etaSeconds)} s left` : '';
  const extra = d.ledPrompt ? 'waiting for LED answer' : d.paused ? 'paused' : (d.reason ?? '');
  return `${d.key.padEnd(keyWidth)}  ${d.state.padEnd(14)} ${bar}  ${rate.padEnd(12)} ${eta.padEnd(10)} ${extra}`.trimEnd();
}

/**
 * A live table of a job's devices on a terminal: redrawn in place (cursor up, clear line) at most
 * as often as progress events come (10 a second), with a job total line at the bottom.
 */
export class TtyProgressView {
  private drawn = 0;

  constructor(private readonly write: LineWriter) {}

  draw(job: JobSnapshot): void {
    const keyWidth = Math.max(...job.devices.map((d) => d.key.length), 6);
    const lines = job.devices.map((d) => deviceLine(d, keyWidth));
    const p = job.progress;
    const pct = p.total > 0 ? Math.floor((p.bytes / p.total) * 100) : 0;
    const done = job.counts.done ?? 0;
    lines.push(`job ${job.id.slice(0, 8)}: ${done}/${job.devices.length} done, ${pct} % of bytes, ${(p.rate / 1024).toFixed(1)} KiB/s${p.etaSeconds !== null && p.rate > 0 ? `, ${Math.ceil(p.etaSeconds)} s left` : ''}`);
    const up = this.drawn > 0 ? `\x1b[${this.drawn}A` : '';
    this.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}`);
    this.drawn = lines.length;
  }
}

/** A plain line for a state change, for logs and pipes (no cursor movement). */
export function stateLine(e: DeviceStateEvent): string {
  return `${e.deviceKey}: ${e.from ?? '-'} → ${e.to}${e.reason ? ` (${e.reason})` : ''}`;
}
