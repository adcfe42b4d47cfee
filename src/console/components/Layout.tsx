// The frame of every signed-in page: where the admin can go, who they are, and signing out.
import type { ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { Me } from '../../shared/admin-api.js';
import { ROLE_DUTIES } from '../../shared/admins.js';
import { useApi } from '../api/queries.js';
import { Link, type RouteName, pathTo, useRoute } from '../router.js';

/** The sections in the navigation, in order, and the pages that belong to each. */
const SECTIONS: { label: string; to: Exclude<RouteName, 'not-found'>; owns: RouteName[] }[] = [
  { label: 'Audit Data', to: 'audit-data', owns: ['audit-data', 'server'] },
  { label: 'Audit logs', to: 'audit-logs', owns: ['audit-logs', 'human', 'agent'] },
  { label: 'Compliance', to: 'compliance', owns: ['compliance'] },
  { label: 'Approval requests', to: 'requests', owns: ['requests'] },
  { label: 'Changed tools', to: 'changes', owns: ['changes'] },
  { label: 'Devices', to: 'devices', owns: ['devices', 'device'] },
  { label: 'History', to: 'history', owns: ['history'] },
  { label: 'Settings', to: 'settings', owns: ['settings'] },
];

export function Layout({ me, children }: { me: Me; children: ReactNode }) {
  const route = useRoute();
  const api = useApi();
  const client = useQueryClient();
  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    client.setQueryData(['me'], null);
    client.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
  };
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          MCP Warden
        </Link>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map((section) => (
              <li key={section.to}>
                <Link href={pathTo(section.to)} aria-current={section.owns.includes(route.name) ? 'page' : undefined}>
                  {section.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span className="email">{me.email}</span>
          <span className="role" title={ROLE_DUTIES[me.role]}>
            {me.role}
          </span>
          {me.via === 'session' ? (
            <button type="button" onClick={() => void signOut()}>
              Sign out
            </button>
          ) : null}
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
