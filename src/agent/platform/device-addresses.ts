// The device's network addresses, for the policy's IP conditions ("allow from 10.0.0.0/8"). A laptop moves
// between networks while its guards run for days, so long-running readers ask again: `liveDeviceIps` keeps an
// answer for a few seconds at most, which spares the interface list on every tool call but never lags a move.
import os from 'node:os';

/** How long a read of the interfaces is reused by a long-running reader. */
export const DEVICE_IPS_MAX_AGE_MS = 2000;

/** Addresses other machines would see, now: every non-internal interface address. */
export function currentDeviceIps(): string[] {
  let interfaces: ReturnType<typeof os.networkInterfaces>;
  try {
    interfaces = os.networkInterfaces();
  } catch {
    // Some sandboxes refuse the interface list; no address then meets an IP condition (fails closed).
    return [];
  }
  return Object.values(interfaces)
    .flat()
    .filter((address): address is os.NetworkInterfaceInfo => Boolean(address) && !address!.internal)
    .map((address) => address.address);
}

/** A reader of the addresses for a process that lives long: fresh, but read at most once per `maxAgeMs`. */
export function liveDeviceIps(maxAgeMs = DEVICE_IPS_MAX_AGE_MS, clock: () => number = Date.now): () => string[] {
  let cached: { at: number; ips: string[] } | undefined;
  return () => {
    const now = clock();
    if (!cached || now - cached.at >= maxAgeMs || now < cached.at) cached = { at: now, ips: currentDeviceIps() };
    return cached.ips;
  };
}
