import '@mantine/core/styles.css';
import './app.css';
import { MantineProvider, createTheme } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import './lib/i18n';
import { App } from './App';

// Colours chosen for contrast: text on the primary colour and on white stays above WCAG AA 4.5:1
// (teal.9 #087f5b; teal.8 was 4.0:1), checked by axe-core in the browser tests.
const theme = createTheme({
  primaryColor: 'teal',
  primaryShade: 9,
  defaultRadius: 'sm',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif',
  focusRing: 'always',
});

// The one query cache of the app (see lib/queries.ts for the keys). A failure shows at once with a
// Retry button (no silent retries), and data is fetched again when a page is opened or a change
// invalidates it, not when the window regains focus: the screens behave as they did before the cache.
const queryClient = new QueryClient({
  defaultOptions: {
    queries: { retry: false, refetchOnWindowFocus: false },
    mutations: { retry: false },
  },
});

// The page's Content-Security-Policy admits <style> elements only with this page's nonce (the server
// writes a fresh one into <meta property="csp-nonce"> per response); Mantine's carry it.
const styleNonce = document.querySelector<HTMLMetaElement>('meta[property="csp-nonce"]')?.nonce ?? '';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <MantineProvider theme={theme} getStyleNonce={() => styleNonce}>
        <App />
      </MantineProvider>
    </QueryClientProvider>
  </StrictMode>,
);
