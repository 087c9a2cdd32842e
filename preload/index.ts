import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { EVENT_NAMES, type EventName, type SiteflashBridge } from './api';
import { eventChannel } from './ipc-channels';

/**
 * Exposes `window.siteflash` and nothing else. Each request goes to the main-process handler of the
 * same channel name; events arrive on `siteflash:event:<name>`. Types come from the contract.
 */
const bridge: SiteflashBridge = {
  invoke: (channel, args) => ipcRenderer.invoke(channel, args),
  on(event, listener) {
    if (!(EVENT_NAMES as readonly EventName[]).includes(event)) throw new Error(`Unknown event stream: ${String(event)}`);
    const forward = (_e: IpcRendererEvent, payload: unknown) => listener(payload as Parameters<typeof listener>[0]);
    ipcRenderer.on(eventChannel(event), forward);
    return () => {
      ipcRenderer.removeListener(eventChannel(event), forward);
    };
  },
};

contextBridge.exposeInMainWorld('siteflash', bridge);
