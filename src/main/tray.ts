// The tray icon: its state drawn in assets/tray, a tooltip, and the menu built from the latest snapshot.
import path from 'node:path';
import { Menu, Tray, app, nativeImage } from 'electron';
import type { Snapshot } from '../shared/ipc.js';
import { trayIconFile, trayMenu, trayTooltip } from './tray-menu.js';

export interface TrayActions {
  open(): void;
  /** Settles when the scan is done or has failed; the tray only shows that it runs. */
  scan(): Promise<void>;
  quit(): void;
}

export function assetsFolder(): string {
  return app.isPackaged ? path.join(process.resourcesPath, 'assets') : path.join(import.meta.dirname, '../../assets');
}

export function setupTray(actions: TrayActions, options: { hideQuit: boolean }): { update(snapshot: Snapshot | undefined): void } {
  const icon = (state: Snapshot['trayState']) =>
    nativeImage.createFromPath(path.join(assetsFolder(), 'tray', trayIconFile(state, process.platform)));
  const tray = new Tray(icon('offline'));
  let scanning = false;
  let latest: Snapshot | undefined;
  const render = () => {
    const state = latest?.trayState ?? 'offline';
    tray.setImage(icon(state));
    tray.setToolTip(trayTooltip(state));
    const items = trayMenu(latest, { hideQuit: options.hideQuit, scanning, now: new Date() });
    const click: Record<string, () => void> = {
      open: actions.open,
      scan: () => {
        scanning = true;
        render();
        const done = () => {
          scanning = false;
          render();
        };
        actions.scan().then(done, done);
      },
      quit: actions.quit,
    };
    tray.setContextMenu(
      Menu.buildFromTemplate(
        items.map((item) =>
          item.type === 'separator' ? { type: 'separator' } : { label: item.label, enabled: item.enabled, click: click[item.id] },
        ),
      ),
    );
  };
  tray.on('click', actions.open);
  render();
  return {
    update: (snapshot) => {
      latest = snapshot;
      render();
    },
  };
}
