// Runs one bridge call against the AppService, validating the arguments on the way in and the result on the way
// out with the contract's schemas. Electron's agent host and the browser harness both call this.
import { INVOKE_CHANNELS, type InvokeChannel } from '../../shared/ipc.js';
import type { AppService } from './app-service.js';

export class BridgeError extends Error {
  override name = 'BridgeError';
}

export function isInvokeChannel(name: string): name is InvokeChannel {
  return Object.hasOwn(INVOKE_CHANNELS, name);
}

export async function dispatch(
  service: AppService,
  channel: string,
  args: unknown,
  openLink: (url: string) => Promise<void> = async () => undefined,
): Promise<unknown> {
  if (!isInvokeChannel(channel)) throw new BridgeError(`unknown channel ${channel}`);
  const contract = INVOKE_CHANNELS[channel];
  const parsed = contract.args.safeParse(args);
  if (!parsed.success) throw new BridgeError(`invalid arguments for ${channel}: ${parsed.error.issues[0]?.message ?? 'rejected'}`);
  let result: unknown;
  switch (channel) {
    case 'snapshot:get':
      result = await service.snapshot();
      break;
    case 'scan:now':
      result = await service.scanNow();
      break;
    case 'approval:request':
      result = await service.requestApproval((parsed.data as [{ serverId: string; reason: string }])[0]);
      break;
    case 'link:open':
      await openLink((parsed.data as [{ url: string }])[0].url);
      result = null;
      break;
  }
  return contract.result.parse(result);
}
