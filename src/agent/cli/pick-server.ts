// Finding the server a person means: by id, or by a name when only one server has it.
import type { ServerEntry } from '../../shared/inventory.js';
import { clientName } from '../discovery/catalogue/clients.js';
import { UsageError } from './usage-error.js';

export function pickServer(servers: readonly ServerEntry[], wanted: string): ServerEntry {
  const byId = servers.find((server) => server.id === wanted);
  if (byId) return byId;
  const byName = servers.filter((server) => server.name === wanted || server.name.toLowerCase() === wanted.toLowerCase());
  if (byName.length === 1) return byName[0]!;
  if (byName.length === 0) throw new UsageError(`no server named or with id "${wanted}"; \`mcp-warden scan\` lists them`);
  const choices = byName.map((server) => `  ${server.id}  ${clientName(server.client)}, ${server.scope}: ${server.configPath}`).join('\n');
  throw new UsageError(`${byName.length} servers are named "${wanted}"; pass one of their ids:\n${choices}`);
}
