// The staff console: sign-in, then the shell (search box, navigation) around one page per path.
import { AppShell, Anchor, Box, Burger, Button, Group, Stack, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, lazy, Suspense, useContext, useState, type ComponentType, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, type Reply, type Schemas } from '../lib/api';
import { keys, sessionQuery } from '../lib/queries';
import { linkProps, match, navigate, query } from '../lib/router';
import { ErrorNote, LanguageSwitch, Loading } from '../lib/ui';
import { HomePage, QueuePage } from './Home';
import { SearchPage } from './Search';
import { SignIn } from './SignIn';

// The first page (home, queues, search) loads with the console; every other page is its own chunk,
// fetched when it is first opened, so the staff's first page stays within the web budget (issue 15,
// `npm run bench -- web`). A new page: add it here with `page(...)`, not as a static import.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each page has its own props
const page = <K extends string>(load: () => Promise<Record<K, ComponentType<any>>>, name: K) => lazy(() => load().then((m) => ({ default: m[name] })));
const AdminPage = page(() => import('./Admin'), 'AdminPage');
const DevicePage = page(() => import('./DevicePage'), 'DevicePage');
const CustomerPage = page(() => import('./Clients'), 'CustomerPage');
const IntakePage = page(() => import('./Intake'), 'IntakePage');
const OrderPage = page(() => import('./OrderPage'), 'OrderPage');
const PolicyEditorPage = page(() => import('./PolicyEditor'), 'PolicyEditorPage');
const RmaRoutes = page(() => import('./Rma'), 'RmaRoutes');
const ContractPage = page(() => import('./Contracts'), 'ContractPage');
const ContractsPage = page(() => import('./Contracts'), 'ContractsPage');
const SupportPage = page(() => import('./Support'), 'SupportPage');
const TicketPage = page(() => import('./Support'), 'TicketPage');
const RegistrationsPage = page(() => import('./Money'), 'RegistrationsPage');
const FirstRunPage = page(() => import('./FirstRun'), 'FirstRunPage');
const MessagesPage = page(() => import('./Messages'), 'MessagesPage');

export type Me = Reply<'/api/v1/auth/me'>;
export type Org = Schemas['Organization'];
export const SessionContext = createContext<{ me: Me; org: Org; refreshOrg: () => void } | null>(null);
export const useSession = () => useContext(SessionContext)!;

export default function Console({ path }: { path: string }) {
  const qc = useQueryClient();
  const s = useQuery(sessionQuery());
  const check = () => void s.refetch();
  // Nothing read as someone else (or signed out) may show: forget every query but the session's.
  const forget = () => qc.removeQueries({ predicate: (q) => q.queryKey[0] !== keys.session[0] });
  if (s.error) return <ErrorNote error={s.error} onRetry={check} />;
  if (s.data === undefined) return <Loading />;
  const session = s.data;
  if (session === null)
    return (
      <SignedOut
        onSignedIn={() => {
          forget();
          check();
        }}
      />
    );
  return (
    <SessionContext.Provider value={{ ...session, refreshOrg: () => void qc.invalidateQueries({ queryKey: keys.session }) }}>
      <Shell
        path={path}
        onSignOut={() => {
          qc.setQueryData(keys.session, null);
          forget();
        }}
      >
        <Suspense fallback={<Loading />}>
          <Page path={path} />
        </Suspense>
      </Shell>
    </SessionContext.Provider>
  );
}

/** The sign-in; while no business exists yet, the first-run set-up instead (issue 11). */
function SignedOut({ onSignedIn }: { onSignedIn: () => void }) {
  const setup = useQuery({ queryKey: ['setup-status'], queryFn: ({ signal }) => ok(api.GET('/api/v1/setup', { signal })) });
  if (setup.data === undefined && !setup.error) return <Loading />;
  if (setup.data?.needed)
    return (
      <Suspense fallback={<Loading />}>
        <FirstRunPage
          onDone={() => {
            onSignedIn();
            navigate('/');
          }}
        />
      </Suspense>
    );
  return <SignIn onSignedIn={onSignedIn} />;
}

function Page({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/' || path === '/sign-in' || path === '/setup') return <HomePage />;
  if ((m = match('/queues/:queue', path))) return <QueuePage queue={m.queue} />;
  if (path === '/search') return <SearchPage q={query().get('q') ?? ''} />;
  if ((m = match('/devices/:id', path))) return <DevicePage id={m.id} />;
  if ((m = match('/customers/:id', path))) return <CustomerPage id={m.id} />;
  if ((m = match('/orders/:id', path))) return <OrderPage id={m.id} />;
  if (path === '/intake') return <IntakePage />;
  if (path === '/rmas' || path.startsWith('/rmas/')) return <RmaRoutes path={path} />;
  if (path === '/admin') return <AdminPage />;
  if (path === '/policy') return <PolicyEditorPage />;
  if (path === '/messages') return <MessagesPage />;
  if (path === '/support') return <SupportPage />;
  if ((m = match('/support/tickets/:id', path))) return <TicketPage id={m.id} />;
  if (path === '/contracts') return <ContractsPage />;
  if (path === '/registrations') return <RegistrationsPage />;
  if ((m = match('/contracts/:id', path))) return <ContractPage id={m.id} />;
  return <NotFound />;
}

function NotFound() {
  const { t } = useTranslation();
  return <Text p="xl">{t('error.pageNotFound')}</Text>;
}

function Shell({ path, children, onSignOut }: { path: string; children: React.ReactNode; onSignOut: () => void }) {
  const { t } = useTranslation();
  const { me, org } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const signOut = useMutation({ mutationFn: () => ok(api.POST('/api/v1/auth/sign-out')) });
  const [q, setQ] = useState(path === '/search' ? (query().get('q') ?? '') : '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
    close();
  };
  const searchForm = (testId: string) => (
    <form onSubmit={submit} role="search">
      <TextInput aria-label={t('search.label')} placeholder={t('search.placeholder')} value={q} onChange={(e) => setQ(e.currentTarget.value)} name="q" data-testid={testId} />
    </form>
  );
  const signOutButton = (
    <Button
      variant="subtle"
      size="xs"
      onClick={() =>
        signOut.mutate(undefined, {
          onSettled: () => {
            onSignOut();
            navigate('/');
          },
        })
      }
    >
      {t('nav.signOut')}
    </Button>
  );
  const nav = [
    { to: '/', label: t('nav.home') },
    { to: '/intake', label: t('nav.intake') },
    { to: '/support', label: t('support.nav') },
    { to: '/rmas', label: t('rma.nav') },
    { to: '/registrations', label: t('money.console.registrations') },
    ...(me.user.role === 'owner' || me.user.role === 'manager' ? [{ to: '/admin', label: t('nav.admin') }, { to: '/policy', label: t('policy.title') }, { to: '/messages', label: t('messages.nav') }] : []),
  ];
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">{t('nav.skip')}</a>
      <AppShell.Header className="no-print">
        <Group h="100%" px="md" gap="md" wrap="nowrap">
          <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
          <Anchor {...linkProps('/')} fw={800} c="teal.9" underline="never" size="lg">Aftercare</Anchor>
          <Text size="sm" c="dark.4" visibleFrom="md">{org.name}</Text>
          {/* On a phone the search and the sign-out live in the menu: the header keeps what fits in 390 px. */}
          <Box visibleFrom="sm" style={{ flex: 1, maxWidth: 520 }}>{searchForm('search-box')}</Box>
          <Box hiddenFrom="sm" style={{ flex: 1 }} />
          <LanguageSwitch />
          <Text size="sm" visibleFrom="sm">{me.user.name}</Text>
          <Box visibleFrom="sm">{signOutButton}</Box>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" className="no-print" aria-label={t('nav.menu')}>
        <Stack hiddenFrom="sm" gap="xs" mb="sm" data-testid="menu-account">
          {searchForm('search-box-menu')}
          <Group justify="space-between" wrap="nowrap" gap="xs">
            <Text size="sm" truncate>{me.user.name}</Text>
            {signOutButton}
          </Group>
        </Stack>
        {nav.map((n) => (
          <Anchor key={n.to} {...linkProps(n.to)} py={6} px={8} fw={path === n.to ? 700 : 400} aria-current={path === n.to ? 'page' : undefined} underline="hover" c="dark.7">
            {n.label}
          </Anchor>
        ))}
      </AppShell.Navbar>
      <AppShell.Main id="main">{children}</AppShell.Main>
    </AppShell>
  );
}
