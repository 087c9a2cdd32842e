import { Listeners } from '../links/listeners';

/** The technician's update-mode LED answer for one device on the Collect screen, stamped by the core's clock (epoch ms). */
export interface CollectAnswer {
  seen: boolean;
  at: number;
}

/** What the technician decided on the Collect screen: the devices chosen (in the order chosen) and the LED answers, by device id. */
export interface CollectChoicesState {
  chosen: string[];
  answers: Record<string, CollectAnswer>;
  /** The chosen devices that were ticked one by one (not by "select all"); a development device needs this. */
  chosenOneByOne?: string[];
}

/**
 * The Collect screen's choices, kept by the core so that a reload of the window keeps them and
 * the audit only ever holds times the core took: an answer is a request, stamped here. A device
 * seen leaving update mode loses its answer and its tick (the answer was about update mode).
 */
export class CollectChoices {
  private state: CollectChoicesState = { chosen: [], answers: {} };
  private readonly modes = new Map<string, 'normal' | 'update'>();
  readonly changes = new Listeners<CollectChoicesState>();

  constructor(private readonly wallNow: () => number = Date.now) {}

  get current(): CollectChoicesState {
    return this.state;
  }

  /** Records the technician's answer now; "yes" chooses the device, "no" takes it out; null forgets the answer (ask again). */
  answer(deviceId: string, seen: boolean | null): CollectChoicesState {
    const { [deviceId]: _old, ...others } = this.state.answers;
    void _old;
    if (seen === null) return this.set({ ...this.state, answers: others });
    const chosen = this.state.chosen.filter((id) => id !== deviceId);
    return this.set({ ...this.state, chosen: seen ? [...chosen, deviceId] : chosen, answers: { ...others, [deviceId]: { seen, at: this.wallNow() } } });
  }

  /** Ticks or unticks a device; `oneByOne`: ticked by itself, not as part of "select all". */
  choose(deviceId: string, on: boolean, oneByOne = false): CollectChoicesState {
    const chosen = this.state.chosen.filter((id) => id !== deviceId);
    const single = (this.state.chosenOneByOne ?? []).filter((id) => id !== deviceId);
    return this.set({ ...this.state, chosen: on ? [...chosen, deviceId] : chosen, chosenOneByOne: on && oneByOne ? [...single, deviceId] : single });
  }

  /** Was this device ticked one by one (and is it still chosen)? */
  isOneByOne(deviceId: string | undefined): boolean {
    return deviceId !== undefined && this.state.chosen.includes(deviceId) && (this.state.chosenOneByOne ?? []).includes(deviceId);
  }

  /** The answer to use for a device in a job, if the technician gave one. */
  answerFor(deviceId: string | undefined): CollectAnswer | undefined {
    return deviceId === undefined ? undefined : this.state.answers[deviceId];
  }

  /** Follows the devices heard: one seen going from update mode to normal mode loses its answer and its tick. */
  observe(devices: readonly { id: string; mode: 'normal' | 'update' }[]): void {
    const left: string[] = [];
    for (const d of devices) {
      if (this.modes.get(d.id) === 'update' && d.mode !== 'update') left.push(d.id);
      this.modes.set(d.id, d.mode);
    }
    const touched = left.filter((id) => this.state.chosen.includes(id) || id in this.state.answers);
    if (touched.length === 0) return;
    const answers = Object.fromEntries(Object.entries(this.state.answers).filter(([id]) => !touched.includes(id)));
    this.set({ ...this.state, chosen: this.state.chosen.filter((id) => !touched.includes(id)), answers });
  }

  private set(next: CollectChoicesState): CollectChoicesState {
    this.state = next;
    this.changes.emit(next);
    return next;
  }
}
