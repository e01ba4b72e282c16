import '@mantine/core/styles.css';
import '@mantine/dropzone/styles.css';
import '@mantine/notifications/styles.css';
import { MantineProvider } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { I18nextProvider } from 'react-i18next';
import { isApiError } from './api/client.ts';
import { App } from './app.tsx';
import { sessionKey } from './auth/session-queries.ts';
import { setupI18n } from './i18n/i18n.ts';
import { consoleCssVariables, consoleTheme } from './shell/theme.ts';

const i18n = setupI18n();

// A session that ended (idle, expired, signed out elsewhere) shows the sign-in page, not a wall of errors.
function onError(error: unknown) {
  if (isApiError(error, 'UNAUTHENTICATED')) queryClient.setQueryData(sessionKey, null);
  // A refused CSRF token is a stale one (the session was renewed in another tab): read the session again.
  if (isApiError(error, 'CSRF_FAILED')) void queryClient.invalidateQueries({ queryKey: sessionKey });
}

const queryClient: QueryClient = new QueryClient({
  queryCache: new QueryCache({ onError }),
  mutationCache: new MutationCache({ onError }),
  defaultOptions: {
    queries: {
      staleTime: 30_000,
      // A 4xx will not change by asking again; a dropped connection might.
      retry: (count, error) => count < 2 && !(isApiError(error) && error.status >= 400 && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root element');

createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <MantineProvider defaultColorScheme="light" theme={consoleTheme} cssVariablesResolver={consoleCssVariables}>
        <Notifications />
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </MantineProvider>
    </I18nextProvider>
  </StrictMode>,
);
