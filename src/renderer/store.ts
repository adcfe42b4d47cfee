// The window's state (zustand): the snapshot, filters, the selection. It is fed by push events from the agent
// — an invalidation, then a fetch — never by polling.
import { create } from 'zustand';
import type { ApprovalResult, Snapshot, WardenBridge } from '../shared/ipc.js';
import { type Filters, NO_FILTERS } from './view-model.js';

export type Page = 'servers' | 'settings';

export interface WardenState {
  snapshot?: Snapshot;
  loading: boolean;
  scanning: boolean;
  error?: string;
  filters: Filters;
  selectedId?: string;
  page: Page;
  load(): Promise<void>;
  scanNow(): Promise<void>;
  setFilters(filters: Partial<Filters>): void;
  select(id: string | undefined): void;
  show(page: Page): void;
  requestApproval(serverId: string, reason: string): Promise<ApprovalResult>;
  /** Opens an organisation's link in the system browser (https only, checked behind the bridge). */
  openLink(url: string): Promise<void>;
}

/** `initial` seeds the state (a snapshot already at hand, or a test's). */
export function createWardenStore(
  bridge: WardenBridge,
  initial: Partial<Pick<WardenState, 'snapshot' | 'loading' | 'selectedId' | 'filters' | 'page'>> = {},
) {
  const store = create<WardenState>((set) => ({
    loading: true,
    scanning: false,
    filters: NO_FILTERS,
    page: 'servers',
    ...initial,
    load: async () => {
      try {
        const snapshot = await bridge.getSnapshot();
        set({ snapshot, loading: false, error: undefined });
      } catch (error) {
        set({ loading: false, error: (error as Error).message });
      }
    },
    scanNow: async () => {
      set({ scanning: true });
      try {
        set({ snapshot: await bridge.scanNow(), error: undefined });
      } catch (error) {
        set({ error: (error as Error).message });
      } finally {
        set({ scanning: false });
      }
    },
    setFilters: (filters) => set((state) => ({ filters: { ...state.filters, ...filters } })),
    select: (selectedId) => set({ selectedId }),
    show: (page) => set({ page }),
    requestApproval: (serverId, reason) => bridge.requestApproval({ serverId, reason }),
    openLink: async (url) => void (await bridge.openLink(url)),
  }));
  bridge.onInvalidated(() => void store.getState().load());
  return store;
}
