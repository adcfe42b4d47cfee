// The running agent's loopback HTTP guard: started in enforce mode by `mcp-warden agent` and the desktop app,
// serving exactly the remote entries enforcement wrapped (their routes are in the ledger), with the policy the
// agent caches. Its port must stay the same, since the wrapped entries carry it.
import { statSync } from 'node:fs';
import { type Ledger, ledgerFile, loadLedger } from '../enforce/ledger.js';
import { liveDeviceIps } from '../platform/device-addresses.js';
import { loadEnrollment } from '../sync/device-identity.js';
import { type HttpGuard, type HttpRoute, startHttpGuard } from './http-guard.js';
import { PolicySource } from './policy-source.js';

/**
 * Routes from the ledger, read again only when enforcement has rewritten it (it is replaced atomically, so a
 * new inode or time says so): every request asks, and most find the same ledger.
 */
function ledgerRoutes(stateDir: string): (serverId: string) => Promise<HttpRoute | undefined> {
  let cached: { version: string; ledger: Ledger } | undefined;
  return async (serverId) => {
    // A synchronous stat costs microseconds; an asynchronous one a trip through the thread pool on every call.
    const info = statSync(ledgerFile(stateDir), { throwIfNoEntry: false });
    const version = info ? `${info.ino}:${info.mtimeMs}:${info.size}` : 'none';
    if (cached?.version !== version) cached = { version, ledger: await loadLedger(stateDir) };
    const entry = cached.ledger.entries.find((item) => item.serverId === serverId && item.route);
    if (!entry?.route) return undefined;
    const { upstream, transport, serverKey, client, name } = entry.route;
    return {
      upstream,
      transport: transport ?? 'http',
      subject: { serverId, serverKey, serverName: name, clients: client.split(','), url: upstream },
    };
  };
}

/** The guard, listening; undefined (and said) when its port is taken, so remote servers are then not wrapped. */
export async function hostHttpGuard(stateDir: string, port: number, log: (line: string) => void): Promise<HttpGuard | undefined> {
  const policy = new PolicySource(stateDir);
  await policy.start();
  const deviceId = (await loadEnrollment(stateDir))?.deviceId;
  try {
    const guard = await startHttpGuard({
      stateDir,
      port,
      route: ledgerRoutes(stateDir),
      policy: () => policy.policy,
      deviceIps: liveDeviceIps(),
      deviceId,
      warn: log,
    });
    log(`guard: remote servers are guarded at ${guard.base}`);
    return {
      base: guard.base,
      close: async () => {
        await guard.close();
        policy.stop();
      },
    };
  } catch (error) {
    policy.stop();
    log(`guard: cannot listen on 127.0.0.1:${port} (${(error as Error).message}); remote servers are not wrapped`);
    return undefined;
  }
}
