// The only surface the window sees: `window.warden`, the bridge contract of src/shared/ipc.ts. Results are
// validated here too, so a confused main process cannot hand the window malformed data.
import { contextBridge, ipcRenderer } from 'electron';
import { BRIDGE_METHODS, EVENT_CHANNELS, INVOKE_CHANNELS, type InvokeChannel, type WardenBridge } from '../shared/ipc.js';

async function invoke(channel: InvokeChannel, ...args: unknown[]): Promise<unknown> {
  const contract = INVOKE_CHANNELS[channel];
  contract.args.parse(args);
  return contract.result.parse(await ipcRenderer.invoke(channel, ...args));
}

const bridge = {
  ...Object.fromEntries(
    Object.entries(BRIDGE_METHODS).map(([method, channel]) => [
      method,
      method === 'openLink' ? (url: string) => invoke(channel, { url }) : (...args: unknown[]) => invoke(channel, ...args),
    ]),
  ),
  onInvalidated: (listener: (reason: string) => void) => {
    const handler = (_event: unknown, payload: unknown) => listener(EVENT_CHANNELS['snapshot:invalidated'].parse(payload).reason);
    ipcRenderer.on('snapshot:invalidated', handler);
    return () => void ipcRenderer.removeListener('snapshot:invalidated', handler);
  },
} as WardenBridge;

contextBridge.exposeInMainWorld('warden', bridge);
