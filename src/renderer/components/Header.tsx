import { TRAY_STATE_TEXT } from '../../shared/present.js';
import { ago } from '../view-model.js';
import { useWarden } from './StoreContext.js';

export function Header() {
  const snapshot = useWarden((state) => state.snapshot);
  const scanning = useWarden((state) => state.scanning);
  const page = useWarden((state) => state.page);
  const scanNow = useWarden((state) => state.scanNow);
  const show = useWarden((state) => state.show);
  return (
    <header className="header">
      <div className="title">
        <h1>MCP Warden</h1>
        {snapshot && <span className={`tray tray-${snapshot.trayState}`}>{TRAY_STATE_TEXT[snapshot.trayState]}</span>}
      </div>
      <nav aria-label="Pages">
        <button className={page === 'servers' ? 'tab active' : 'tab'} onClick={() => show('servers')} aria-current={page === 'servers'}>
          Servers
        </button>
        <button className={page === 'settings' ? 'tab active' : 'tab'} onClick={() => show('settings')} aria-current={page === 'settings'}>
          Settings
        </button>
        <button className="primary" onClick={() => void scanNow()} disabled={scanning}>
          {scanning ? 'Scanning…' : 'Scan now'}
        </button>
      </nav>
      {snapshot && <p className="subtle">Last scan {ago(snapshot.generatedAt, new Date())}</p>}
    </header>
  );
}

export function OfflineBanner() {
  const snapshot = useWarden((state) => state.snapshot);
  if (!snapshot?.sync.offline) return null;
  const { sync } = snapshot;
  const text = !sync.enrolled
    ? 'This device is not enrolled with your organisation yet: decisions show as pending.'
    : `Cannot reach ${sync.serverUrl ?? 'the central endpoint'}${sync.policyFetchedAt ? `; using the policy received ${ago(sync.policyFetchedAt, new Date())}` : ''}.`;
  return (
    <div className="banner" role="status">
      {text}
    </div>
  );
}
