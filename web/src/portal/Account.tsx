// The client account: ask for a sign-in link by e-mail, open it, and see your devices, each with its
// warranty (the engine's answer, as staff see it) and its services. `/account/<business>?token=...`
// is the link in the e-mail; the token is exchanged once for the client's own session cookie.
import { Alert, Badge, Button, Card, Group, List, Paper, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok, type Schemas } from '../lib/api';
import { fmtDate, lang } from '../lib/i18n';
import { clientAccountQuery } from '../lib/queries';
import { navigate, query } from '../lib/router';
import { ErrorNote, Loading } from '../lib/ui';
import { ClientRmas } from './ClientRmas';
import { clientRegistrationsQuery, DeviceMoney } from './DeviceMoney';

type ClientAccount = Schemas['ClientAccount'];
type ClientOrder = ClientAccount['otherOrders'][number];

export function Account({ org }: { org: string }) {
  useTranslation(); // the account is read again in the new language when it changes
  const qc = useQueryClient();
  // The e-mailed link's token, read once: it leaves the address bar at once (below).
  const [token] = useState(() => query().get('token'));
  const session = useMutation({ mutationFn: (t: string) => ok(api.POST('/api/v1/client/session', { body: { token: t } })) });
  const opened = useRef(false);
  useEffect(() => {
    // Once per page: the token is single use, and React may run an effect twice in development.
    if (!token || opened.current) return;
    opened.current = true;
    navigate(`/account/${encodeURIComponent(org)}`, true); // the token leaves the address bar and history
    session.mutate(token);
    // Not on `session` (a new object every render): the token is exchanged once.
  }, [org, token]);
  // Keyed by language: switching languages reads the account again (the old one stays meanwhile).
  const account = useQuery({ ...clientAccountQuery(lang()), enabled: !token || session.isSuccess });
  const signOut = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/client/sign-out')),
    onSuccess: () => qc.setQueriesData({ queryKey: ['client', 'account'] }, null),
  });
  if (token && (session.isIdle || session.isPending)) return <Loading />;
  if (session.isError) return <RequestLink org={org} error={session.error} />;
  if (account.error) return <RequestLink org={org} error={account.error} />;
  if (account.data === undefined) return <Loading />;
  if (account.data === null) return <RequestLink org={org} />;
  return <AccountView a={account.data} onSignOut={() => signOut.mutate()} />;
}

function RequestLink({ org, error: linkError }: { org: string; error?: unknown }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const ask = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/client/sign-in-link', { body: { organization: org, email: email.trim(), lang: lang() } })),
    onSuccess: () => setSent(true),
  });
  const { isPending: busy, error } = ask;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    ask.mutate();
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
  const regs = useQuery(clientRegistrationsQuery());
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
          <DeviceMoney d={d} regs={regs.data} />
          <Title order={3} size="h5" mt="sm">{t('account.services')}</Title>
          <Orders orders={d.orders} />
        </Card>
      ))}
      <ClientRmas devices={a.devices} />
      {a.otherOrders.length > 0 && (
        <Card withBorder>
          <Title order={2} size="h4">{t('account.otherServices')}</Title>
          <Orders orders={a.otherOrders} />
        </Card>
      )}
    </Stack>
  );
}
