import { Center, Loader } from '@mantine/core';
import { lazy, Suspense } from 'react';
import { match, useLocation } from './lib/router';

// The portal and the console are separate chunks: a client on a phone loads only the portal.
const Console = lazy(() => import('./console/Console'));
const Portal = lazy(() => import('./portal/Portal'));

export const PORTAL_PATHS = ['/order', '/order/:token', '/claim/:org', '/account/:org', '/help/:org'];

export function App() {
  const loc = useLocation();
  const path = loc.split('?')[0];
  const portal = PORTAL_PATHS.some((p) => match(p, path));
  return (
    <Suspense
      fallback={
        <Center h="100vh">
          <Loader role="status" aria-label="Loading" />
        </Center>
      }
    >
      {portal ? <Portal path={path} /> : <Console path={path} />}
    </Suspense>
  );
}
