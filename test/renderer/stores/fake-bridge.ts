import type { ArgsOf, Channel, EventName, Events, Result, ResultOf, SiteflashBridge } from '../../../preload/api';

/** A bridge passed to a store factory: answers from a table per channel (at once, or when a test resolves a promise) and records each call. */
export function fakeBridge(answers: { [C in Channel]?: (args: ArgsOf<C>) => Result<ResultOf<C>> | Promise<Result<ResultOf<C>>> }) {
  const calls: { channel: Channel; args: unknown }[] = [];
  const listeners = new Map<EventName, ((payload: never) => void)[]>();
  const bridge: SiteflashBridge = {
    async invoke(channel, args) {
      calls.push({ channel, args });
      const answer = answers[channel] as ((a: typeof args) => Result<ResultOf<typeof channel>> | Promise<Result<ResultOf<typeof channel>>>) | undefined;
      return answer ? answer(args) : { ok: false, error: { kind: 'no-answer', message: `no answer for ${channel}`, userFault: false } };
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener as (payload: never) => void]);
      return () => listeners.set(event, (listeners.get(event) ?? []).filter((l) => l !== listener));
    },
  };
  const emit = <E extends EventName>(event: E, payload: Events[E]) => (listeners.get(event) ?? []).forEach((l) => l(payload as never));
  return { bridge: () => bridge, calls, emit };
}
