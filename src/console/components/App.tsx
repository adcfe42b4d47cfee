// The console: the sign-in page until someone is signed in, then the page the address names, in the frame.
import { type ReactNode, useEffect } from 'react';
import { useMe } from '../api/queries.js';
import { type Route, useRoute } from '../router.js';
import { AuditDataPage } from '../pages/AuditDataPage.js';
import { AuditLogsPage } from '../pages/AuditLogsPage.js';
import { ChangesPage } from '../pages/ChangesPage.js';
import { DevicesPage } from '../pages/DevicesPage.js';
import { HistoryPage } from '../pages/HistoryPage.js';
import { AgentPage, DevicePage, HumanPage } from '../pages/PeoplePages.js';
import { RequestsPage } from '../pages/RequestsPage.js';
import { ServerPage } from '../pages/ServerPage.js';
import { SettingsPage } from '../pages/SettingsPage.js';
import { SignInPage } from '../pages/SignInPage.js';
import { Layout } from './Layout.js';
import { CompliancePage } from '../pages/CompliancePage.js';
import { Empty, ErrorState, Loading } from './States.js';
import { Link } from '../router.js';

/** Each page by its route; keyed by what it shows, so moving between two servers starts afresh. */
const PAGES: Record<Route['name'], (route: Route) => ReactNode> = {
  'audit-data': () => <AuditDataPage />,
  server: (route) => <ServerPage key={route.params.serverKey} serverKey={route.params.serverKey!} />,
  'audit-logs': () => <AuditLogsPage />,
  compliance: () => <CompliancePage />,
  requests: () => <RequestsPage />,
  changes: () => <ChangesPage />,
  devices: () => <DevicesPage />,
  device: (route) => <DevicePage key={route.params.deviceId} deviceId={route.params.deviceId!} />,
  human: (route) => <HumanPage key={route.params.humanKey} humanKey={route.params.humanKey!} />,
  agent: (route) => <AgentPage key={route.params.agentKey} agentKey={route.params.agentKey!} />,
  history: () => <HistoryPage />,
  settings: () => <SettingsPage />,
  'not-found': () => (
    <Empty title="There is no such page.">
      <p>
        <Link href="/">Go to Audit Data</Link>
      </p>
    </Empty>
  ),
};

const TITLES: Record<Route['name'], string> = {
  'audit-data': 'Audit Data',
  server: 'Server',
  'audit-logs': 'Audit logs',
  compliance: 'Compliance',
  requests: 'Approval requests',
  changes: 'Changed tools',
  devices: 'Devices',
  device: 'Device',
  human: 'Human',
  agent: 'Agent',
  history: 'History',
  settings: 'Settings',
  'not-found': 'Not found',
};

export function App() {
  const me = useMe();
  const route = useRoute();
  const signedIn = Boolean(me.data);
  useEffect(() => {
    document.title = signedIn ? `${TITLES[route.name]} · MCP Warden` : 'Sign in · MCP Warden';
  }, [signedIn, route.name]);
  if (me.isPending) return <Loading what="MCP Warden" />;
  if (me.isError) return <ErrorState error={me.error} retry={() => void me.refetch()} />;
  if (!me.data) return <SignInPage />;
  return <Layout me={me.data}>{PAGES[route.name](route)}</Layout>;
}
