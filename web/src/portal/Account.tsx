// The client account: ask for a sign-in link by e-mail, open it, and see your devices, each with its
// warranty (the engine's answer, as staff see it) and its services. `/account/<business>?token=...`
// is the link in the e-mail; the token is exchanged once for the client's own session cookie.
import { Alert, Badge, Button, Card, Group, List, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../lib/api';
import { fmtDate } from '../lib/i18n';
import { navigate, query } from '../lib/router';
import { ErrorNote, Loading } from '../lib/ui';

interface ClientOrder { number: string; state: string; problem: string; claimDate: string }
interface ClientAccount {
  organization: { name: string; slug: string }; email: string; name: string | null;
  devices: { id: string; serial: string; manufacturer: string; model: string | null; category: string; warranty: { at: string; covered: boolean; explanation: string[]; status: string; end: string | null }; orders: ClientOrder[] }[];
  otherOrders: ClientOrder[];
}

export function Account({ org }: { org: string }) {
  const { i18n } = useTranslation();
  const [phase, setPhase] = useState<'checking' | 'signed-out' | 'signed-in'>('checking');
  const [data, setData] = useState<ClientAccount>();
  const [error, setError] = useState<unknown>();
  const opened = useRef(false);
  const load = async () => {
    try {
      setData(await api<ClientAccount>(`/client/account?lang=${i18n.language}`));
      setPhase('signed-in');
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 401)) setError(err);
      setPhase('signed-out');
    }
  };
  useEffect(() => {
    // Once per page: the token is single use, and React may run an effect twice in development.
    if (opened.current) return;
    opened.current = true;
    const token = query().get('token');
    if (!token) return void load();
    navigate(`/account/${encodeURIComponent(org)}`, true); // the token leaves the address bar and history
    api('/client/session', { body: { token } })
      .then(load)
      .catch((err) => {
        setError(err);
        setPhase('signed-out');
      });
    // Not on `load` (a new function every render): this runs once per organization.
  }, [org]);
  useEffect(() => {
    if (phase === 'signed-in') void load();
    // Only when the language changes (not on `phase` or `load`): the account in the new language.
  }, [i18n.language]);
  if (phase === 'checking') return <Loading />;
  if (phase === 'signed-out' || !data) return <RequestLink org={org} error={error} />;
  return <AccountView a={data} onSignOut={async () => { await api('/client/sign-out', { method: 'POST' }); setData(undefined); setPhase('signed-out'); }} />;
}

function RequestLink({ org, error: linkError }: { org: string; error?: unknown }) {
  const { t, i18n } = useTranslation();
  const [email, setEmail] = useState('');
  const [busy, setBusy] = useState(false);
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/client/sign-in-link', { body: { organization: org, email: email.trim(), lang: i18n.language } });
      setSent(true);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit}>
      <Stack>
        <Title order={1} size="h3">{t('account.title')}</Title>
        <Text size="sm">{t('account.intro')}</Text>
        {linkError instanceof ApiError && linkError.status === 400 ? <Alert color="red" role="alert" data-testid="link-refused">{t('account.linkRefused')}</Alert> : <ErrorNote error={linkError} />}
        <TextInput label={t('account.email')} type="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoComplete="email" name="email" />
        {sent && <Alert color="teal" role="status" data-testid="link-sent">{t('account.sent')}</Alert>}
        <ErrorNote error={error} />
        <Button type="submit" loading={busy}>{t('account.send')}</Button>
      </Stack>
    </Paper>
  );
}

function Orders({ orders }: { orders: ClientOrder[] }) {
  const { t } = useTranslation();
  if (!orders.length) return <Text size="sm" c="dark.5">{t('account.noServices')}</Text>;
  // Stacked rather than a table: the state stays readable on a phone.
  return (
    <Stack gap="xs" data-testid="services">
      {orders.map((o) => (
        <div key={o.number}>
          <Group justify="space-between" gap="xs" wrap="nowrap">
            <Text size="sm" fw={600}>{o.number}</Text>
            <Badge variant="light" color="dark" style={{ flexShrink: 0 }}>{t(`clientState.${o.state}`, t(`state.${o.state}`, o.state))}</Badge>
          </Group>
          <Text size="sm" c="dark.5">{fmtDate(o.claimDate)} · {o.problem}</Text>
        </div>
      ))}
    </Stack>
  );
}

function AccountView({ a, onSignOut }: { a: ClientAccount; onSignOut: () => void }) {
  const { t } = useTranslation();
  return (
    <Stack>
      <Group justify="space-between" align="baseline">
        <Title order={1} size="h3">{t('account.hello', { name: a.name ?? a.email })}</Title>
        <Button variant="subtle" size="xs" onClick={onSignOut}>{t('account.signOut')}</Button>
      </Group>
      <Text size="sm">{t('account.at', { business: a.organization.name })}</Text>
      {a.devices.length === 0 && <Text>{t('account.noDevices')}</Text>}
      {a.devices.map((d) => (
        <Card key={d.id} withBorder data-testid="client-device" data-serial={d.serial}>
          <Title order={2} size="h4">{[d.manufacturer, d.model].filter(Boolean).join(' ')}</Title>
          <Text size="sm" c="dark.5">{t('account.serial')}: {d.serial}</Text>
          <Group gap="xs" mt="xs" data-testid="client-warranty">
            <Badge color={d.warranty.covered ? 'teal' : 'gray'}>{d.warranty.covered ? t('device.covered') : t('device.notCovered')}</Badge>
            <Text size="sm">{t(`status.${d.warranty.status}`, d.warranty.status)}{d.warranty.end ? ` · ${t('account.until', { date: fmtDate(d.warranty.end) })}` : ''}</Text>
          </Group>
          <List size="sm" mt="xs" data-testid="client-reasons">{d.warranty.explanation.map((x, i) => <List.Item key={i}>{x}</List.Item>)}</List>
          <Title order={3} size="h5" mt="sm">{t('account.services')}</Title>
          <Orders orders={d.orders} />
        </Card>
      ))}
      {a.otherOrders.length > 0 && (
        <Card withBorder>
          <Title order={2} size="h4">{t('account.otherServices')}</Title>
          <Orders orders={a.otherOrders} />
        </Card>
      )}
    </Stack>
  );
}
