// The staff console: sign-in, then the shell (search box, navigation) around one page per path.
import { AppShell, Anchor, Burger, Button, Group, Text, TextInput } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { createContext, useContext, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../lib/api';
import { linkProps, match, navigate, query } from '../lib/router';
import { ErrorNote, LanguageSwitch, Loading } from '../lib/ui';
import { AdminPage } from './Admin';
import { DevicePage } from './DevicePage';
import { HomePage, QueuePage } from './Home';
import { IntakePage } from './Intake';
import { OrderPage } from './OrderPage';
import { SearchPage } from './Search';
import { SignIn } from './SignIn';

export interface Me { user: { id: string; name: string; role: string; type: string }; organizationId: string }
export interface Org { id: string; slug: string; name: string; packId: string; timeZone: string; currency: string; languages: string[]; version: number }
export const SessionContext = createContext<{ me: Me; org: Org; refreshOrg: () => void } | null>(null);
export const useSession = () => useContext(SessionContext)!;

export default function Console({ path }: { path: string }) {
  const { t } = useTranslation();
  const [session, setSession] = useState<{ me: Me; org: Org } | null | undefined>(undefined);
  const [error, setError] = useState<unknown>();
  const check = () => {
    setError(undefined);
    Promise.all([api<Me>('/auth/me'), api<Org>('/organization')]).then(
      ([me, org]) => setSession({ me, org }),
      (e) => (e instanceof ApiError && e.status === 401 ? setSession(null) : setError(e)),
    );
  };
  useEffect(check, []);
  if (error) return <ErrorNote error={error} onRetry={check} />;
  if (session === undefined) return <Loading />;
  if (session === null) return <SignIn onSignedIn={check} />;
  return (
    <SessionContext.Provider value={{ ...session, refreshOrg: check }}>
      <Shell path={path} onSignOut={() => setSession(null)}>
        <Page path={path} />
      </Shell>
    </SessionContext.Provider>
  );
}

function Page({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/' || path === '/sign-in') return <HomePage />;
  if ((m = match('/queues/:queue', path))) return <QueuePage queue={m.queue} />;
  if (path === '/search') return <SearchPage q={query().get('q') ?? ''} />;
  if ((m = match('/devices/:id', path))) return <DevicePage id={m.id} />;
  if ((m = match('/orders/:id', path))) return <OrderPage id={m.id} />;
  if (path === '/intake') return <IntakePage />;
  if (path === '/admin') return <AdminPage />;
  return <NotFound />;
}

function NotFound() {
  const { t } = useTranslation();
  return <Text p="xl">{t('error.pageNotFound')}</Text>;
}

function Shell({ path, children, onSignOut }: { path: string; children: React.ReactNode; onSignOut: () => void }) {
  const { t } = useTranslation();
  const { me, org } = useSession();
  const [opened, { toggle }] = useDisclosure();
  const [q, setQ] = useState(path === '/search' ? (query().get('q') ?? '') : '');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (q.trim()) navigate(`/search?q=${encodeURIComponent(q.trim())}`);
  };
  const nav = [
    { to: '/', label: t('nav.home') },
    { to: '/intake', label: t('nav.intake') },
    ...(me.user.role === 'owner' || me.user.role === 'manager' ? [{ to: '/admin', label: t('nav.admin') }] : []),
  ];
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 200, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <a className="skip-link" href="#main">{t('nav.skip')}</a>
      <AppShell.Header className="no-print">
        <Group h="100%" px="md" gap="md" wrap="nowrap">
          <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label={t('nav.menu')} />
          <Anchor {...linkProps('/')} fw={800} c="teal.9" underline="never" size="lg">Aftercare</Anchor>
          <Text size="sm" c="dark.4" visibleFrom="md">{org.name}</Text>
          <form onSubmit={submit} role="search" style={{ flex: 1, maxWidth: 520 }}>
            <TextInput
              aria-label={t('search.label')}
              placeholder={t('search.placeholder')}
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
              name="q"
              data-testid="search-box"
            />
          </form>
          <LanguageSwitch />
          <Text size="sm" visibleFrom="sm">{me.user.name}</Text>
          <Button
            variant="subtle"
            size="xs"
            onClick={async () => {
              await api('/auth/sign-out', { method: 'POST' }).catch(() => undefined);
              onSignOut();
              navigate('/');
            }}
          >
            {t('nav.signOut')}
          </Button>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" className="no-print" aria-label={t('nav.menu')}>
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
