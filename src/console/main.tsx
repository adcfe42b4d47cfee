// The console's composition root: one API client, one query cache, the app. Any read answered 401 (the
// session ended) takes the admin back to the sign-in page.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { z } from 'zod';
import { ApiError, AdminApi } from './api/client.js';
import { ApiContext } from './api/queries.js';
import { App } from './components/App.js';
import './styles.css';

// zod would otherwise probe for eval once, which the console's CSP refuses (and reports).
z.config({ jitless: true });

const api = new AdminApi();
// The session ended: nothing read with it stays cached for whoever signs in next in this tab.
const signedOut = (error: unknown) => {
  if (!(error instanceof ApiError && error.status === 401)) return;
  queries.removeQueries({ predicate: (query) => query.queryKey[0] !== 'me' });
  queries.setQueryData(['me'], null);
};
const queries: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError: signedOut }),
  mutationCache: new MutationCache({ onError: signedOut }),
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal, or a fault only an operator can mend (needs-operator), will not change by asking again; a
      // dropped connection may.
      retry: (count, error) =>
        count < 2 && !(error instanceof ApiError && ((error.status >= 400 && error.status < 500) || error.code === 'needs-operator')),
    },
  },
});

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ApiContext.Provider value={api}>
      <QueryClientProvider client={queries}>
        <App />
      </QueryClientProvider>
    </ApiContext.Provider>
  </StrictMode>,
);
