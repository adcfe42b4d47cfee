// Audit logs of the whole fleet: every tool call, allowed or denied, and every other event laptops send.
import { EventLog } from '../components/EventLog.js';

export function AuditLogsPage() {
  return (
    <>
      <div className="page-head">
        <h1>Audit logs</h1>
      </div>
      <EventLog />
    </>
  );
}
