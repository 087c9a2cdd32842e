import type { EventName } from './api';

/** The Electron IPC channel an event stream is sent on. */
export const eventChannel = (event: EventName) => `siteflash:event:${event}` as const;
