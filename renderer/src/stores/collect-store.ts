import { createStore } from 'zustand/vanilla';
import type { CollectState, ErrorValue, GatewayBatchSettings, HeardDevice, JobStartRequest, JobTargetRequest, RadioTimeEstimate, Result, SiteflashBridge } from '../../../preload/api';

/** The technician's answer to "does the device show this?" on the Collect screen. */
export type LedAnswerView = 'yes' | 'no';

/** How Collect lists the devices: a card each, or one dense table. */
export type CollectLayout = 'cards' | 'table';

/** Above this many devices heard, Collect shows the table unless the technician picked the cards (the demo site's 15 stay on cards). */
export const TABLE_ABOVE = 16;
const LAYOUT_KEY = 'siteflash.collect.layout';
/** The window's localStorage where there is one (not in unit tests). */
const storage = () => (globalThis as { localStorage?: { getItem(k: string): string | null; setItem(k: string, v: string): void } }).localStorage;

/** Devices heard while collecting, the technician's LED answers, and the devices chosen for the update. */
export interface CollectStoreState {
  collect: CollectState;
  /** Every device heard in this session, by id: the Update screen still reaches them after collecting stops. */
  known: Record<string, HeardDevice>;
  /** The LED answers the core holds (it stamps their time), by device id. */
  ledAnswers: Record<string, LedAnswerView>;
  /** Ids of the devices chosen for the update, in the order chosen, as the core holds them. */
  selected: string[];
  /** Id of the device asked to blink last. */
  identifying: string | null;
  /** When each device now in update mode was first heard in it (core clock, epoch ms), and the window length. */
  updateSince: Record<string, number>;
  updateWindowMs: number;
  /** The core's clock minus this window's clock (ms), so countdowns follow the core's clock. */
  clockOffset: number;
  /** The layout the technician picked (remembered), or null: cards up to {@link TABLE_ABOVE} devices, the table above. */
  layout: CollectLayout | null;
  setLayout(layout: CollectLayout): void;
  /** Ticks (or unticks) many devices in one request and one change in the core. */
  chooseMany(ids: string[], on: boolean): Promise<void>;
  /** "Every device I can see blinks twice": the core records yes for every chosen device not answered, no for the exceptions. */
  confirmLeds(exceptions: string[]): Promise<void>;
  /** The core's radio time for a gateway update of the chosen devices behind the gateway (boards, one per device). */
  radioTime(req: { bundleId: string; boards: string[] } & GatewayBatchSettings): Promise<Result<RadioTimeEstimate>>;
  error: ErrorValue | null;
  /** Starts listening for devices and follows `collect:changed`; the returned function stops both. */
  start(): () => void;
  identify(device: HeardDevice): Promise<void>;
  /** Sends the LED answer to the core; "yes" chooses the device for the update, "no" takes it out. */
  answerLed(id: string, answer: LedAnswerView): Promise<void>;
  /** Asks the core to forget the LED answer so the question is asked again. */
  clearLed(id: string): Promise<void>;
  toggle(id: string, on: boolean): Promise<void>;
  /** The chosen devices that are known, in the order chosen. */
  chosen(): HeardDevice[];
  /** The chosen devices as job targets (the core adds the LED answers it recorded). */
  targets(): JobStartRequest['targets'];
}

const EMPTY: CollectState = { scanning: false, devices: [], updatedAt: null, error: null };

/** Update-mode devices first; otherwise the core's order. */
export function updateModeFirst(devices: readonly HeardDevice[]): HeardDevice[] {
  return [...devices].sort((a, b) => Number(b.mode === 'update') - Number(a.mode === 'update'));
}

function readLayout(): CollectLayout | null {
  try {
    const v = storage()?.getItem(LAYOUT_KEY);
    return v === 'cards' || v === 'table' ? v : null;
  } catch {
    return null;
  }
}

/** The core keeps the choices and answers (and their times); this store mirrors them. */
export function createCollectStore(bridge: () => SiteflashBridge) {
  return createStore<CollectStoreState>()((set, get) => {
    const take = (collect: CollectState) => {
      const known = { ...get().known };
      for (const d of collect.devices) known[d.id] = d;
      const ledAnswers = Object.fromEntries(Object.entries(collect.answers ?? {}).map(([id, a]): [string, LedAnswerView] => [id, a.seen ? 'yes' : 'no']));
      set({
        collect: { ...collect, devices: updateModeFirst(collect.devices) },
        known,
        ledAnswers,
        selected: collect.chosen ?? [],
        updateSince: collect.updateSince ?? {},
        updateWindowMs: collect.updateWindowMs ?? 600_000,
        clockOffset: collect.now === undefined ? 0 : collect.now - Date.now(),
      });
    };
    const send = async (result: Promise<Result<CollectState>>) => {
      const r = await result;
      if (r.ok) take(r.value);
      else set({ error: r.error });
    };
    return {
      collect: EMPTY,
      known: {},
      ledAnswers: {},
      selected: [],
      identifying: null,
      updateSince: {},
      updateWindowMs: 600_000,
      clockOffset: 0,
      layout: readLayout(),
      error: null,
      setLayout(layout) {
        set({ layout });
        try {
          storage()?.setItem(LAYOUT_KEY, layout);
        } catch {
          // A window without storage forgets the choice on reload; nothing else depends on it.
        }
      },
      chooseMany(ids, on) {
        return send(bridge().invoke('collect:choose-many', { deviceIds: ids, on }));
      },
      confirmLeds(exceptions) {
        return send(bridge().invoke('collect:confirm-leds', { exceptions }));
      },
      radioTime(req) {
        return bridge().invoke('gateway:radio-time', req);
      },
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
        return send(bridge().invoke('collect:answer-led', { deviceId: id, seen: answer === 'yes' }));
      },
      clearLed(id) {
        return send(bridge().invoke('collect:answer-led', { deviceId: id, seen: null }));
      },
      toggle(id, on) {
        // A tick on one device's card is a choice of that device by itself (development devices need one).
        return send(bridge().invoke('collect:choose', { deviceId: id, on, oneByOne: true }));
      },
      chosen() {
        const { known, selected } = get();
        return selected.map((id) => known[id]).filter((d): d is HeardDevice => d !== undefined);
      },
      targets() {
        return get()
          .chosen()
          .map((d) => ({ link: d.target, expectedDeviceId: d.id }));
      },
    };
  });
}
