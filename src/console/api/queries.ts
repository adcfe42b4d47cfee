// Server state for the pages: each read is a TanStack query keyed by its path and filters, so pages share,
// cache and refresh them; lists are infinite queries that follow the API's cursors. Every change a page makes
// goes through `useChange`, which refreshes what it may have changed.
import { createContext, useContext } from 'react';
import { type QueryKey, useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import {
  AgentStat,
  CapabilityRow,
  DeviceRow,
  Enrollment,
  HumanView,
  Me,
  PageOf,
  RegistrySettingsView,
  ServerDetail,
  ServerDeviceRow,
  ServerImpact,
  SignInMethods,
} from '../../shared/admin-api.js';
import { AdminAccount } from '../../shared/admins.js';
import { Policy } from '../../shared/policy.js';
import { ConfigSource } from '../../shared/inventory.js';
import { type AdminApi, ApiError, type Query } from './client.js';

export const ApiContext = createContext<AdminApi | null>(null);

export function useApi(): AdminApi {
  const api = useContext(ApiContext);
  if (!api) throw new Error('the console is rendered without its API client (main.tsx)');
  return api;
}

const encode = encodeURIComponent;

/** The signed-in admin, or null when nobody is (the sign-in page shows). */
export function useMe() {
  const api = useApi();
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => {
      try {
        const me = await api.get('/v1/admin/me', Me);
        api.useCsrfToken(me.csrfToken);
        return me;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) return null;
        throw error;
      }
    },
    staleTime: 60_000,
  });
}

export function useSignInMethods() {
  const api = useApi();
  return useQuery({ queryKey: ['sign-in-methods'], queryFn: () => api.get('/auth/methods', SignInMethods), staleTime: Infinity });
}

/** A list page by page: `pages` grows as the admin asks for more (or scrolls), each page from the last cursor. */
export function usePaged<T extends z.ZodType>(path: string, item: T, query: Query, pageSize = 50) {
  const api = useApi();
  const schema = PageOf(item) as unknown as z.ZodType<PageOf<z.infer<T>>>;
  return useInfiniteQuery({
    queryKey: ['list', path, query, pageSize],
    queryFn: ({ pageParam }) => api.get(path, schema, { ...query, limit: String(pageSize), ...(pageParam ? { cursor: pageParam } : {}) }),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export const serverPath = (serverKey: string, part = '') => `/v1/admin/servers/${encode(serverKey)}${part}`;

export function useServerDetail(serverKey: string) {
  const api = useApi();
  return useQuery({ queryKey: ['server', serverKey], queryFn: () => api.get(serverPath(serverKey), ServerDetail) });
}

export const useCapabilities = (serverKey: string, query: Query) =>
  usePaged(serverPath(serverKey, '/capabilities'), CapabilityRow, query, 100);
export const useServerDevices = (serverKey: string, query: Query) => usePaged(serverPath(serverKey, '/devices'), ServerDeviceRow, query);

export function useImpact(serverKey: string, agent: string | undefined, enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['impact', serverKey, agent],
    queryFn: () => api.get(serverPath(serverKey, '/impact'), ServerImpact, { agent }),
    enabled,
  });
}

export function useEnrollment(enabled: boolean) {
  const api = useApi();
  return useQuery({ queryKey: ['enrollment'], queryFn: () => api.get('/v1/admin/enrollment', Enrollment), enabled, staleTime: Infinity });
}

export function usePolicy() {
  const api = useApi();
  return useQuery({ queryKey: ['policy'], queryFn: () => api.get('/v1/admin/policy', Policy) });
}

/** What laptops do with the organisation's registry, and where clients read it. */
export function useRegistrySettings() {
  const api = useApi();
  return useQuery({ queryKey: ['registry-settings'], queryFn: () => api.get('/v1/admin/registry/settings', RegistrySettingsView) });
}

export function useAgents() {
  const api = useApi();
  return useQuery({ queryKey: ['agents'], queryFn: () => api.get('/v1/admin/agents', z.object({ items: z.array(AgentStat) })) });
}

export function useDevice(deviceId: string) {
  const api = useApi();
  return useQuery({
    queryKey: ['device', deviceId],
    queryFn: () => api.get(`/v1/admin/devices/${encode(deviceId)}`, DeviceRow.extend({ sources: z.array(ConfigSource) })),
  });
}

export function useHuman(humanKey: string) {
  const api = useApi();
  return useQuery({ queryKey: ['human', humanKey], queryFn: () => api.get(`/v1/admin/humans/${encode(humanKey)}`, HumanView) });
}

export function useAdmins(enabled: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: ['admins'],
    queryFn: () => api.get('/v1/admin/admins', z.object({ items: z.array(AdminAccount) })),
    enabled,
  });
}

/**
 * A change: on success every cached read is refreshed (a rule changes decisions on every list), and `done`
 * runs; on failure the error stays on the mutation for the form to show.
 */
export function useChange<Input, Output>(change: (api: AdminApi, input: Input) => Promise<Output>, refresh: QueryKey[] = []) {
  const api = useApi();
  const client = useQueryClient();
  return useMutation({
    mutationFn: (input: Input) => change(api, input),
    onSuccess: async () => {
      if (refresh.length === 0) await client.invalidateQueries();
      else await Promise.all(refresh.map((queryKey) => client.invalidateQueries({ queryKey })));
    },
  });
}

/** A paged read as a table takes it: every loaded row, the total, and how to load more. */
export function tableOf<T>(result: {
  data?: { pages: PageOf<T>[] } | undefined;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => unknown;
}) {
  const pages = result.data?.pages ?? [];
  const first = pages[0];
  return {
    rows: pages.flatMap((page) => page.items),
    total: first ? { count: first.total, exact: first.totalExact } : undefined,
    hasMore: result.hasNextPage,
    loadingMore: result.isFetchingNextPage,
    loadMore: () => void result.fetchNextPage(),
  };
}
