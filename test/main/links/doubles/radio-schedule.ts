import type { Clock } from '../../../../main/links/clock';

/** A BLE connection's timing: events every interval, a few ATT packets each way per event. */
export interface RadioModel {
  /** Connection interval, ms (7.5–4000; 30 is a typical desktop central's choice). */
  connectionIntervalMs: number;
  /** ATT packets that fit one connection event in one direction. */
  packetsPerInterval: number;
}

/**
 * Hands out send times for one direction of a connection: packets go at connection events on
 * the interval grid, at most {@link RadioModel.packetsPerInterval} per event, in order.
 */
export class RadioSchedule {
  private eventAt = -Infinity;
  private used = 0;

  constructor(
    private readonly clock: Clock,
    private readonly model: RadioModel,
  ) {}

  /** The time the next packet queued now leaves. */
  next(): number {
    const interval = this.model.connectionIntervalMs;
    const grid = Math.ceil(this.clock.now() / interval) * interval;
    if (grid > this.eventAt) {
      this.eventAt = grid;
      this.used = 0;
    }
    if (this.used >= this.model.packetsPerInterval) {
      this.eventAt += interval;
      this.used = 0;
    }
    this.used++;
    return this.eventAt;
  }
}
