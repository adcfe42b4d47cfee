// The console's pages by address, as one table, and the few hooks pages move with. The endpoint answers every
// console path with the console (routes/console-routes.ts), so addresses can be bookmarked and shared. Hand
// written rather than a router library: a dozen fixed paths, no loaders, no nesting.
import { type AnchorHTMLAttributes, type MouseEvent, useCallback, useSyncExternalStore } from 'react';

export type RouteName =
  | 'audit-data'
  | 'server'
  | 'audit-logs'
  | 'compliance'
  | 'requests'
  | 'changes'
  | 'devices'
  | 'device'
  | 'human'
  | 'agent'
  | 'history'
  | 'settings'
  | 'not-found';

/** Each page's path; `:name` is one URL-encoded segment. */
const ROUTES: [RouteName, string][] = [
  ['audit-data', '/'],
  ['server', '/servers/:serverKey'],
  ['audit-logs', '/audit-logs'],
  ['compliance', '/compliance'],
  ['requests', '/requests'],
  ['changes', '/changes'],
  ['devices', '/devices'],
  ['device', '/devices/:deviceId'],
  ['human', '/humans/:humanKey'],
  ['agent', '/agents/:agentKey'],
  ['history', '/history'],
  ['settings', '/settings'],
];

export interface Route {
  name: RouteName;
  params: Record<string, string>;
  search: URLSearchParams;
}

export function matchRoute(pathname: string, search: string): Route {
  const parts = pathname.split('/').filter(Boolean);
  for (const [name, pattern] of ROUTES) {
    const wanted = pattern.split('/').filter(Boolean);
    if (wanted.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const fits = wanted.every((segment, index) => {
      if (segment.startsWith(':')) {
        // A malformed escape (a mangled link) is a page that does not exist, not a blank console.
        try {
          params[segment.slice(1)] = decodeURIComponent(parts[index]!);
        } catch {
          return false;
        }
        return true;
      }
      return segment === parts[index];
    });
    if (fits) return { name, params, search: new URLSearchParams(search) };
  }
  return { name: 'not-found', params: {}, search: new URLSearchParams(search) };
}

/** The path of a page, its parameters encoded: a serverKey holds `/` and `:`. */
export function pathTo(
  name: Exclude<RouteName, 'not-found'>,
  params: Record<string, string> = {},
  search?: Record<string, string>,
): string {
  const pattern = ROUTES.find(([route]) => route === name)![1];
  const path = pattern.replace(/:(\w+)/g, (_, key: string) => encodeURIComponent(params[key] ?? ''));
  const query = search ? new URLSearchParams(search).toString() : '';
  return query ? `${path}?${query}` : path;
}

const CHANGE = 'console:navigate';
const subscribe = (notify: () => void) => {
  window.addEventListener('popstate', notify);
  window.addEventListener(CHANGE, notify);
  return () => {
    window.removeEventListener('popstate', notify);
    window.removeEventListener(CHANGE, notify);
  };
};
const currentAddress = () => `${window.location.pathname}${window.location.search}`;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentAddress()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
}

export function useRoute(): Route {
  const address = useSyncExternalStore(subscribe, currentAddress);
  const [pathname, search = ''] = address.split('?');
  return matchRoute(pathname!, search);
}

/** The page's filters live in its address: back and forward restore them, and a link shares them. */
export function useSearchState(): [URLSearchParams, (changes: Record<string, string | undefined>) => void] {
  const { search } = useRoute();
  const update = useCallback((changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(window.location.search);
    for (const [key, value] of Object.entries(changes)) {
      if (value === undefined || value === '') next.delete(key);
      else next.set(key, value);
    }
    const query = next.toString();
    navigate(`${window.location.pathname}${query ? `?${query}` : ''}`, { replace: true });
  }, []);
  return [search, update];
}

/** An ordinary link that moves within the console without reloading it; a modified click opens a tab as usual. */
export function Link({ href, onClick, ...rest }: AnchorHTMLAttributes<HTMLAnchorElement> & { href: string }) {
  const follow = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
    window.scrollTo(0, 0);
  };
  return <a href={href} onClick={follow} {...rest} />;
}
