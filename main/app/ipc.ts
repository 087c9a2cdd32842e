import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import type { Channel } from '../../preload/api';
import { eventChannel } from '../../preload/ipc-channels';
import type { Core } from '../core';
import { argSchemas } from '../schemas';
import { APP_ORIGIN } from './protocol';

/**
 * Registers one IPC handler per contract channel, all here. Each checks that the request comes
 * from our own window's top frame at our own origin before the core sees it; the core validates
 * the arguments.
 */
export function registerIpc(core: Core, trusted: () => WebContents | null): () => void {
  const channels = Object.keys(argSchemas) as Channel[];
  for (const channel of channels) {
    ipcMain.handle(channel, (event, args: unknown) => {
      if (!isTrustedSender(event, trusted())) {
        core.log.warn(`ipc: refused ${channel} from ${event.senderFrame?.url ?? 'an unknown frame'}`);
        return { ok: false, error: { kind: 'untrusted-sender', message: 'Request refused: not from the siteflash window.', userFault: false } };
      }
      return core.invoke(channel, args);
    });
  }
  const off = core.onAny((event, payload) => trusted()?.send(eventChannel(event), payload));
  return () => {
    off();
    channels.forEach((c) => ipcMain.removeHandler(c));
  };
}

function isTrustedSender(event: IpcMainInvokeEvent, window: WebContents | null): boolean {
  const frame = event.senderFrame;
  if (!window || event.sender !== window || !frame || frame !== event.sender.mainFrame) return false;
  return new URL(frame.url).origin === APP_ORIGIN;
}
