import { createStore } from 'zustand/vanilla';
import type { CollectState, ErrorValue, HeardDevice, JobStartRequest, JobTargetRequest, SiteflashBridge } from '../../../preload/api';

/** The technician's answer to "does the device show this?" on the Collect screen. */
export type LedAnswerView = 'yes' | 'no';

/** Devices heard while collecting, the technician's LED answers, and the devices chosen for the update. */
export interface CollectStoreState {
  collect: CollectState;
  /** Every device heard in this session, by id: the Update screen still reaches them after collecting stops. */
  known: Record<string, HeardDevice>;
  ledAnswers: Record<string, LedAnswerView>;
  /** When each LED answer was given (epoch ms): the core trusts an answer only while update mode lasts. */
  ledAnsweredAt: Record<string, number>;
  /** Ids of the devices chosen for the update, in the order chosen. */
  selected: string[];
  /** Id of the device asked to blink last. */
  identifying: string | null;
  error: ErrorValue | null;
  /** Starts listening for devices and follows `collect:changed`; the returned function stops both. */
  start(): () => void;
  identify(device: HeardDevice): Promise<void>;
  /** Records the LED answer; "yes" chooses the device for the update, "no" takes it out. */
  answerLed(id: string, answer: LedAnswerView): void;
  /** Forgets the LED answer so the question is asked again. */
  clearLed(id: string): void;
  toggle(id: string, on: boolean): void;
  /** The chosen devices that are known, in the order chosen. */
  chosen(): HeardDevice[];
  /** The chosen devices as job targets, each with its update-mode LED answer when one was given. */
  targets(): JobStartRequest['targets'];
}

const EMPTY: CollectState = { scanning: false, devices: [], updatedAt: null, error: null };

/** Update-mode devices first; otherwise the core's order. */
export function updateModeFirst(devices: readonly HeardDevice[]): HeardDevice[] {
  return [...devices].sort((a, b) => Number(b.mode === 'update') - Number(a.mode === 'update'));
}

/** `now` gives epoch ms (injected so the answers' times are testable). */
export function createCollectStore(bridge: () => SiteflashBridge, now: () => number = Date.now) {
  return createStore<CollectStoreState>()((set, get) => {
    const take = (collect: CollectState) => {
      const known = { ...get().known };
      for (const d of collect.devices) known[d.id] = d;
      set({ collect: { ...collect, devices: updateModeFirst(collect.devices) }, known });
    };
    return {
      collect: EMPTY,
      known: {},
      ledAnswers: {},
      ledAnsweredAt: {},
      selected: [],
      identifying: null,
      error: null,
      start() {
        const off = bridge().on('collect:changed', take);
        let stopped = false;
        void bridge()
          .invoke('collect:start', {})
          .then((result) => {
            if (stopped) return;
            if (result.ok) take(result.value);
            else set({ error: result.error });
          });
        return () => {
          stopped = true;
          off();
          void bridge()
            .invoke('collect:stop', {})
            .then((result) => {
              if (result.ok) set({ collect: { ...get().collect, scanning: false } });
            });
        };
      },
      async identify(device) {
        set({ identifying: device.id, error: null });
        const target: JobTargetRequest = device.target;
        const result = await bridge().invoke('devices:identify', { target });
        if (!result.ok) set({ error: result.error, identifying: null });
      },
      answerLed(id, answer) {
        set({ ledAnswers: { ...get().ledAnswers, [id]: answer }, ledAnsweredAt: { ...get().ledAnsweredAt, [id]: now() } });
        get().toggle(id, answer === 'yes');
      },
      clearLed(id) {
        const { [id]: _dropped, ...rest } = get().ledAnswers;
        const { [id]: _droppedAt, ...restAt } = get().ledAnsweredAt;
        void _dropped;
        void _droppedAt;
        set({ ledAnswers: rest, ledAnsweredAt: restAt });
      },
      toggle(id, on) {
        const others = get().selected.filter((s) => s !== id);
        set({ selected: on ? [...others, id] : others });
      },
      chosen() {
        const { known, selected } = get();
        return selected.map((id) => known[id]).filter((d): d is HeardDevice => d !== undefined);
      },
      targets() {
        const { ledAnswers, ledAnsweredAt } = get();
        return get()
          .chosen()
          .map((d) => {
            const answer = ledAnswers[d.id];
            const at = ledAnsweredAt[d.id];
            const updateModeLed = answer !== undefined && at !== undefined ? { updateModeLed: { seen: answer === 'yes', at } } : {};
            return { link: d.target, expectedDeviceId: d.id, ...updateModeLed };
          });
      },
    };
  });
}
