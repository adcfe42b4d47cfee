// What the tray shows, from the latest snapshot: which icon, the tooltip, and the menu. Pure, so it is tested
// without Electron.
import type { Snapshot, TrayState } from '../shared/ipc.js';
import { isBlocked } from '../shared/policy.js';
import { TRAY_STATE_TEXT, relativeTime } from '../shared/present.js';

export interface TrayMenuItem {
  id: string;
  label: string;
  enabled: boolean;
  type?: 'separator';
}

/** The icon file of a state: monochrome templates in the macOS menu bar, colour elsewhere. */
export function trayIconFile(state: TrayState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}

export function trayTooltip(state: TrayState): string {
  return `MCP Warden: ${TRAY_STATE_TEXT[state].charAt(0).toLowerCase()}${TRAY_STATE_TEXT[state].slice(1)}`;
}

export function trayMenu(snapshot: Snapshot | undefined, options: { hideQuit: boolean; scanning: boolean; now: Date }): TrayMenuItem[] {
  const items: TrayMenuItem[] = [];
  if (snapshot) {
    const servers = snapshot.servers;
    const blocked = servers.filter((server) => isBlocked(server.decision)).length;
    const pending = servers.filter((server) => server.decision.status === 'pending').length;
    const approved = servers.length - blocked - pending;
    items.push({
      id: 'counts',
      label: `${servers.length} servers: ${approved} allowed, ${pending} pending, ${blocked} blocked`,
      enabled: false,
    });
  } else {
    items.push({ id: 'counts', label: 'Looking for MCP servers…', enabled: false });
  }
  items.push({ id: 'separator-1', label: '', enabled: false, type: 'separator' });
  items.push({ id: 'open', label: 'Open MCP Warden', enabled: true });
  items.push({ id: 'scan', label: options.scanning ? 'Scanning…' : 'Scan now', enabled: !options.scanning });
  items.push({
    id: 'last-sync',
    label: `Last sync: ${snapshot?.sync.enrolled ? relativeTime(snapshot.sync.lastSuccessAt, options.now) : 'not enrolled'}`,
    enabled: false,
  });
  if (!options.hideQuit) {
    items.push({ id: 'separator-2', label: '', enabled: false, type: 'separator' });
    items.push({ id: 'quit', label: 'Quit MCP Warden', enabled: true });
  }
  return items;
}
