// What a plain scan looks at (`mcp-warden scan`, `watch`): its flags' folders and domains, and beside them the
// settings' ScanRoots and OrgDomains (IT's managed ones among them), as every entry point scans. The settings are
// checked (with zod, which a plain scan otherwise never loads) only when some layer sets one of the two.
import type { ScanOptions } from '../discovery/scan.js';
import { setsAny } from '../settings/settings-layers.js';
import { type DiscoveryValues, scanOptionsFrom } from './discovery-flags.js';
import type { CommandIO } from './io.js';
import { type AgentValues, commandLayers } from './command-settings.js';

export async function scopedScan(values: DiscoveryValues & AgentValues, io: Pick<CommandIO, 'managed' | 'stderr'>): Promise<ScanOptions> {
  const layers = await commandLayers(values, io);
  if (!setsAny(layers, ['scanRoots', 'orgDomains'])) return scanOptionsFrom(values);
  const { settledScan } = await import('./settings-flags.js');
  return (await settledScan(values, io, layers)).scanOptions;
}
