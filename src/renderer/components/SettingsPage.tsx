import { ago } from '../view-model.js';
import { useWarden } from './StoreContext.js';

export function SettingsPage() {
  const snapshot = useWarden((state) => state.snapshot);
  if (!snapshot) return null;
  const { sync } = snapshot;
  const now = new Date();
  return (
    <section className="settings" aria-labelledby="settings-title">
      <h2 id="settings-title">Connection</h2>
      <dl className="facts">
        <dt>Central endpoint</dt>
        <dd>{sync.serverUrl ?? 'not configured'}</dd>
        <dt>Enrollment</dt>
        <dd>{sync.enrolled ? `enrolled as device ${sync.deviceId}` : 'not enrolled'}</dd>
        <dt>Last sync</dt>
        <dd>
          {ago(sync.lastSuccessAt, now)}
          {sync.lastError ? ` — last attempt failed: ${sync.lastError}` : ''}
        </dd>
        <dt>Policy</dt>
        <dd>
          {sync.policyVersion ? `version ${sync.policyVersion.slice(0, 12)}, received ${ago(sync.policyFetchedAt, now)}` : 'none yet'}
        </dd>
      </dl>
      <h2>Settings</h2>
      <table className="settings-table">
        <tbody>
          {snapshot.settings.map((setting) => (
            <tr key={setting.key}>
              <th scope="row">{setting.label}</th>
              <td>{setting.value}</td>
              <td>
                {setting.managed ? (
                  <span className="locked" title="Set by your organisation through device management; it cannot be changed here">
                    <LockIcon /> managed by your organisation
                  </span>
                ) : (
                  ''
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function LockIcon() {
  return (
    <svg width="11" height="12" viewBox="0 0 11 12" aria-hidden="true" className="lock-icon">
      <rect x="1" y="5" width="9" height="7" rx="1.5" fill="currentColor" />
      <path d="M3 5V3.5a2.5 2.5 0 0 1 5 0V5" fill="none" stroke="currentColor" strokeWidth="1.4" />
    </svg>
  );
}
