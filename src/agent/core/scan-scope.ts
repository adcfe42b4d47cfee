// What a scan looks at, the same for every entry point: the folders and domains given on the command line, and
// beside them the settings' (IT's managed ScanRoots and OrgDomains among them), each once. A command that
// scanned with its flags alone would list other servers, with other access types, than the agent reports.
import type { ScanOptions } from '../discovery/scan.js';
import type { AgentSettings } from '../settings/agent-settings.js';

export function scanScope(scanOptions: ScanOptions, settings: Pick<AgentSettings, 'scanRoots' | 'orgDomains'>): ScanOptions {
  return {
    ...scanOptions,
    scanRoots: [...new Set([...(scanOptions.scanRoots ?? []), ...settings.scanRoots])],
    orgDomains: [...new Set([...(scanOptions.orgDomains ?? []), ...settings.orgDomains])],
  };
}
