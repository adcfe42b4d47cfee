// The desktop app's main process: small functions wired in order. The agent core runs in a utility process
// (agent-host.ts); this process only owns the tray, the window, notifications and settings.
import path from 'node:path';
import { app, ipcMain, safeStorage, shell, utilityProcess } from 'electron';
import Store from 'electron-store';
import { resolveStateDir } from '../agent/state/state-dir.js';
import { AgentConnection } from './agent-connection.js';
import { registerBridgeHandlers } from './ipc.js';
import { setupNotifications } from './notifications.js';
import { setupSecurityRestrictions } from './security-restrictions.js';
import { USER_SETTINGS_MIGRATIONS, USER_SETTINGS_SCHEMA, type UserSettings, desktopSettings } from './settings.js';
import { createTokenVault } from './token-vault.js';
import { setupTray } from './tray.js';
import { appUrls, showWindow, windowContents } from './window.js';

function setupSingleInstance(): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => showWindow());
  return true;
}

async function setupSettings(stateDir: string) {
  const store = new Store<UserSettings>({ schema: USER_SETTINGS_SCHEMA as never, migrations: USER_SETTINGS_MIGRATIONS as never });
  return desktopSettings({ stateDir, user: store.store as Record<string, unknown>, env: process.env, platform: process.platform }, (line) =>
    console.warn(line),
  );
}

async function setupAgentHost(stateDir: string, settings: Awaited<ReturnType<typeof setupSettings>>): Promise<AgentConnection> {
  const vault = createTokenVault(safeStorage, new Store({ name: 'credentials' }), stateDir);
  const connection = new AgentConnection(
    () => utilityProcess.fork(path.join(import.meta.dirname, 'agent-host.js'), [], { serviceName: 'MCP Warden agent' }) as never,
  );
  connection.start({ stateDir, settings: settings.agent, managedKeys: settings.managedKeys, enrollment: await vault.load() });
  connection.on('enrollment', (enrollment) => {
    vault.save(enrollment).then(
      (kept) => {
        if (kept.place === 'file' && kept.keychainError)
          console.warn(`enrollment: the keychain refused it (${kept.keychainError}); kept in device.json, readable by this user only`);
      },
      (error: Error) => console.error(`enrollment: could not be kept: ${error.message}`),
    );
  });
  connection.on('log', (line) => console.log(line));
  return connection;
}

function setupIpc(agent: AgentConnection): void {
  registerBridgeHandlers(
    ipcMain,
    async (channel, args) => {
      if (channel === 'link:open') {
        await shell.openExternal((args[0] as { url: string }).url);
        return null;
      }
      return agent.invoke(channel, args);
    },
    appUrls,
  );
  // Push events are invalidations: the window fetches the snapshot again.
  agent.on('invalidated', (reason) => windowContents()?.send('snapshot:invalidated', { reason }));
}

async function main(): Promise<void> {
  if (!setupSingleInstance()) return;
  setupSecurityRestrictions(app, appUrls);
  await app.whenReady();
  if (process.platform === 'darwin') app.dock?.hide(); // a tray-first app
  // Worked out once, from this machine (MCP_WARDEN_STATE_DIR, else the platform's folder).
  const stateDir = resolveStateDir(undefined);
  const settings = await setupSettings(stateDir);
  app.setLoginItemSettings({ openAtLogin: settings.launchAtLogin });
  const agent = await setupAgentHost(stateDir, settings);
  setupIpc(agent);
  const tray = setupTray(
    {
      open: showWindow,
      // The host may be restarting: the scan is then said to have failed, never left as an unhandled rejection.
      scan: () =>
        agent.invoke('scan:now', []).then(
          () => undefined,
          (error: Error) => console.warn(`scan from the tray: ${error.message}`),
        ),
      quit: () => app.quit(),
    },
    { hideQuit: settings.hideQuit },
  );
  const notifications = setupNotifications(showWindow);
  agent.on('snapshot', (snapshot) => {
    tray.update(snapshot);
    notifications.update(snapshot);
  });
  // Until the restarted host answers, the tray says the agent is away rather than showing stale decisions.
  agent.on('offline', () => tray.update(undefined));
  // Closing the window keeps the app in the tray.
  app.on('window-all-closed', () => undefined);
  // Quitting waits (briefly) for the agent host to write what it still holds.
  let stopping = false;
  app.on('before-quit', (event) => {
    if (stopping) return;
    stopping = true;
    event.preventDefault();
    void agent.stop().finally(() => app.quit());
  });
}

void main();
