// The main side of the bridge contract: one handler per channel, each checking that the call comes from the
// app's own window and validating arguments and result against src/shared/ipc.ts.
import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { INVOKE_CHANNELS, type InvokeChannel } from '../shared/ipc.js';
import { isAppUrl } from './security-restrictions.js';

export type BridgeHandler = (channel: InvokeChannel, args: unknown[]) => Promise<unknown>;

export class UntrustedSender extends Error {
  override name = 'UntrustedSender';
}

export function isTrustedSender(frame: WebFrameMain | null | undefined, appUrls: readonly string[]): boolean {
  // Only the top frame of the app's own page may call; never an iframe, never another origin.
  return Boolean(frame && !frame.parent && isAppUrl(frame.url, appUrls));
}

export function registerBridgeHandlers(ipcMain: IpcMain, handler: BridgeHandler, appUrls: () => readonly string[]): void {
  for (const channel of Object.keys(INVOKE_CHANNELS) as InvokeChannel[]) {
    const contract = INVOKE_CHANNELS[channel];
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, ...args: unknown[]) => {
      if (!isTrustedSender(event.senderFrame, appUrls()))
        throw new UntrustedSender(`${channel}: refused a call from ${event.senderFrame?.url ?? 'an unknown frame'}`);
      const parsed = contract.args.safeParse(args);
      if (!parsed.success) throw new Error(`${channel}: invalid arguments: ${parsed.error.issues[0]?.message}`);
      return contract.result.parse(await handler(channel, parsed.data as unknown[]));
    });
  }
}
