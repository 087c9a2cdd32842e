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
  /** When each device now in update mode was first heard in it, by device id (core clock, epoch ms). */
  updateSince: Record<string, number>;
}

/** What a bulk LED confirmation recorded: ids answered "yes" and ids answered "no". */
export interface BulkLedResult {
  seen: string[];
  notSeen: string[];
}

/**
 * The Collect screen's choices, kept by the core so that a reload of the window keeps them and
 * the audit only ever holds times the core took: an answer is a request, stamped here. A device
 * seen leaving update mode loses its answer and its tick (the answer was about update mode).
 */
export class CollectChoices {
  private state: CollectChoicesState = { chosen: [], answers: {}, updateSince: {} };
  private readonly modes = new Map<string, 'normal' | 'update'>();
  readonly changes = new Listeners<CollectChoicesState>();

  constructor(private readonly wallNow: () => number = Date.now) {}

  get current(): CollectChoicesState {
    return this.state;
  }

  /** The clock the answers and update-mode times are stamped with (epoch ms). */
  now(): number {
    return this.wallNow();
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

  /**
   * Ticks or unticks many devices in one change. Ticking takes only devices last heard in update
   * mode (a device in normal mode cannot be updated); ids already ticked keep their place.
   */
  chooseMany(deviceIds: readonly string[], on: boolean): CollectChoicesState {
    if (!on) {
      const drop = new Set(deviceIds);
      return this.set({ ...this.state, chosen: this.state.chosen.filter((id) => !drop.has(id)) });
    }
    const have = new Set(this.state.chosen);
    const add = deviceIds.filter((id) => this.modes.get(id) === 'update' && !have.has(id) && (have.add(id), true));
    return this.set({ ...this.state, chosen: [...this.state.chosen, ...add] });
  }

  /**
   * "Every device I can see blinks twice": every chosen device without an LED answer gets one,
   * stamped now: "no" for the exceptions the technician picked out (which also takes them out of
   * the update, as a single "no" does), "yes" for the others. Devices already answered keep their answer.
   */
  confirmChosen(exceptions: readonly string[]): BulkLedResult {
    const at = this.wallNow();
    const except = new Set(exceptions);
    const open = this.state.chosen.filter((id) => !(id in this.state.answers));
    const seen = open.filter((id) => !except.has(id));
    const notSeen = open.filter((id) => except.has(id));
    const answers = { ...this.state.answers };
    for (const id of seen) answers[id] = { seen: true, at };
    for (const id of notSeen) answers[id] = { seen: false, at };
    const out = new Set(notSeen);
    this.set({ ...this.state, chosen: this.state.chosen.filter((id) => !out.has(id)), answers });
    return { seen, notSeen };
  }

  /** The answer to use for a device in a job, if the technician gave one. */
  answerFor(deviceId: string | undefined): CollectAnswer | undefined {
    return deviceId === undefined ? undefined : this.state.answers[deviceId];
  }

  /**
   * Follows the devices heard: one seen going from update mode to normal mode loses its answer,
   * its tick and its update-mode time; one first heard in update mode gets that time (core clock).
   */
  observe(devices: readonly { id: string; mode: 'normal' | 'update' }[]): void {
    const left: string[] = [];
    const entered: string[] = [];
    for (const d of devices) {
      if (this.modes.get(d.id) === 'update' && d.mode !== 'update') left.push(d.id);
      if (d.mode === 'update' && !(d.id in this.state.updateSince)) entered.push(d.id);
      this.modes.set(d.id, d.mode);
    }
    const touched = new Set(left.filter((id) => this.state.chosen.includes(id) || id in this.state.answers || id in this.state.updateSince));
    if (touched.size === 0 && entered.length === 0) return;
    const now = this.wallNow();
    const keep = ([id]: [string, unknown]) => !touched.has(id);
    const answers = Object.fromEntries(Object.entries(this.state.answers).filter(keep));
    const updateSince = Object.fromEntries(Object.entries(this.state.updateSince).filter(keep));
    for (const id of entered) updateSince[id] = now;
    this.set({ ...this.state, chosen: this.state.chosen.filter((id) => !touched.has(id)), answers, updateSince });
  }

  private set(next: CollectChoicesState): CollectChoicesState {
    this.state = next;
    this.changes.emit(next);
    return next;
  }
}
