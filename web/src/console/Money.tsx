// Registrations and warranty plans in the console (issue 14): the list of device registrations by
// state (pending, paid, refused, expired, refunded) with the fee recorded at the counter or a refusal,
// the claim proofs a device's warranty answer reads (ITS-5, ITS-6), and the plans a device can be
// sold now, sold at the counter so the coverage end moves at once (ITS-3, ITS-10, ITEMA-29).
import { Anchor, Badge, Button, Card, Group, List, SegmentedControl, Select, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Query, type Schemas } from '../lib/api';
import { fmtDate, fmtDateTime, fmtMoney, inLang } from '../lib/i18n';
import { linkProps } from '../lib/router';
import { ErrorNote, Loaded } from '../lib/ui';

type Registration = Schemas['Registration'];
type RegState = NonNullable<Query<'/api/v1/registrations'>['state']>;
const STATES: RegState[] = ['pending', 'paid', 'refused', 'expired', 'refunded'];

/** The proofs a claim needs and whether those on record satisfy them (a valid registration: ITS-5, ITS-6). */
export function Requirements({ items }: { items: { rule: string; satisfied: boolean; text: { en: string; bg?: string; vi?: string } }[] }) {
  const { t } = useTranslation();
  if (!items.length) return null;
  return (
    <>
      <Title order={3} size="h5">{t('money.reg.requirements')}</Title>
      <List data-testid="requirements" spacing={2} size="sm">
        {items.map((r, i) => (
          <List.Item key={i} data-rule={r.rule} data-satisfied={r.satisfied}>
            {r.rule}: {inLang(r.text)} — <b>{r.satisfied ? t('money.reg.satisfied') : t('money.reg.missing')}</b>
          </List.Item>
        ))}
      </List>
    </>
  );
}

export function RegistrationsPage() {
  const { t } = useTranslation();
  const [state, setState] = useState<RegState | 'all'>('pending');
  const s = useQuery({ queryKey: ['registrations', state], queryFn: () => ok(api.GET('/api/v1/registrations', { params: { query: state === 'all' ? {} : { state } } })) });
  const counts = s.data?.counts ?? {};
  return (
    <Stack>
      <Title order={1} size="h2">{t('money.console.registrations')}</Title>
      <SegmentedControl
        value={state}
        onChange={(v) => setState(v as RegState | 'all')}
        data={[{ value: 'all', label: t('money.console.allStates') }, ...STATES.map((x) => ({ value: x, label: `${t(`money.console.states.${x}`)}${counts[x] ? ` (${counts[x]})` : ''}` }))]}
        style={{ flexWrap: 'wrap' }}
        data-testid="registration-states"
      />
      <Loaded s={s}>
        {(r) => (r.items.length ? <Stack gap="sm">{r.items.map((x) => <RegistrationCard key={x.id} r={x} />)}</Stack> : <Text c="dark.4">{t('money.console.empty')}</Text>)}
      </Loaded>
    </Stack>
  );
}

function RegistrationCard({ r }: { r: Registration }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [method, setMethod] = useState<'cash' | 'card-terminal'>('cash');
  const [reason, setReason] = useState('');
  const done = () => void qc.invalidateQueries({ queryKey: ['registrations'] });
  const act = useMutation({
    mutationFn: (body: { action: 'record-payment'; method: 'cash' | 'card-terminal'; version: number } | { action: 'refuse'; reason: string; version: number }) => ok(api.POST('/api/v1/registrations/{id}/actions', { params: { path: { id: r.id } }, body })),
    onSuccess: done,
  });
  const refuse = (e: FormEvent) => {
    e.preventDefault();
    act.mutate({ action: 'refuse', reason, version: r.version });
  };
  return (
    <Card withBorder data-testid="registration" data-state={r.state} data-number={r.number}>
      <Group justify="space-between" gap="xs">
        <Text fw={700}>{r.number}</Text>
        <Badge color={r.state === 'paid' ? 'teal.9' : r.state === 'pending' ? 'orange.9' : 'gray'}>{t(`money.reg.state.${r.state}`)}</Badge>
      </Group>
      <Table mt={4} fz="sm">
        <Table.Tbody>
          <Table.Tr><Table.Td>{t('money.console.device')}</Table.Td><Table.Td><Anchor {...linkProps(`/devices/${r.device.id}`)}>{r.device.manufacturer} {r.device.model} · {r.device.serial}</Anchor></Table.Td></Table.Tr>
          <Table.Tr><Table.Td>{t('money.console.client')}</Table.Td><Table.Td>{r.customer.name}{r.customer.email ? ` · ${r.customer.email}` : ''}</Table.Td></Table.Tr>
          <Table.Tr><Table.Td>{t(`money.reg.event.${r.serviceEvent}`, r.serviceEvent)}</Table.Td><Table.Td>{fmtDate(r.serviceDate)}</Table.Td></Table.Tr>
          <Table.Tr><Table.Td>{t('money.console.document')}</Table.Td><Table.Td>{r.document.filename ? <Anchor href={`/api/v1/registrations/${r.id}/document`}>{t(`money.reg.doc.${r.document.type}`, r.document.type)}: {r.document.filename}</Anchor> : t(`money.reg.doc.${r.document.type}`, r.document.type)}</Table.Td></Table.Tr>
          <Table.Tr><Table.Td>{t('money.console.fee')}</Table.Td><Table.Td>{fmtMoney(r.feeMinor, r.currency)}{r.paidAt ? ` · ${t('money.console.paidBy', { method: t(`method.${r.paymentMethod}`, t(`billing.method.${r.paymentMethod}`, r.paymentMethod ?? '')) })} · ${fmtDateTime(r.paidAt)}` : ''}</Table.Td></Table.Tr>
          {r.refusalReason && <Table.Tr><Table.Td>{t('money.console.reason')}</Table.Td><Table.Td>{r.refusalReason}</Table.Td></Table.Tr>}
          {r.refundFailure && (
            <Table.Tr data-testid="registration-refund-failed">
              <Table.Td colSpan={2}><Text size="sm" c="red.8" fw={600}>{t('payments.refundFailed', { reason: t(`payments.failure.${r.refundFailure.reason}`, { defaultValue: r.refundFailure.reason }) })} · {fmtDateTime(r.refundFailure.at)}</Text></Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      {r.allowedActions.includes('record-payment') && (
        <Group mt="xs" align="flex-end" gap="xs" wrap="wrap">
          <Select label={t('money.console.method')} data={(['cash', 'card-terminal'] as const).map((m) => ({ value: m, label: t(`method.${m}`) }))} value={method} onChange={(v) => v && setMethod(v as typeof method)} allowDeselect={false} w={180} />
          <Button onClick={() => act.mutate({ action: 'record-payment', method, version: r.version })} loading={act.isPending && act.variables?.action === 'record-payment'} data-testid="registration-record-payment">{t('money.console.recordPayment')}</Button>
        </Group>
      )}
      {r.allowedActions.includes('refuse') && (
        <Group mt="xs" align="flex-end" gap="xs" wrap="wrap" component="form" onSubmit={refuse}>
          <TextInput label={t('money.console.reason')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} style={{ flex: '1 1 220px' }} />
          <Button type="submit" variant="outline" color="red.9" loading={act.isPending && act.variables?.action === 'refuse'}>{t('money.console.refuse')}</Button>
        </Group>
      )}
      <ErrorNote error={act.error} />
    </Card>
  );
}

/** The plans the device can be sold now, and the sales; a counter sale moves the coverage end at once (ITS-3). */
export function DevicePlans({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery({ queryKey: ['device', id, 'plans'], queryFn: () => ok(api.GET('/api/v1/devices/{id}/plans', { params: { path: { id } } })) });
  const [method, setMethod] = useState<'cash' | 'card-terminal'>('card-terminal');
  const [key, setKey] = useState(idemKey);
  const sell = useMutation({
    mutationFn: (planId: string) => ok(api.POST('/api/v1/devices/{id}/plans', { params: { path: { id }, header: { 'idempotency-key': key } }, body: { planId, method } })),
    onSuccess: () => {
      setKey(idemKey());
      // The device's coverage changed: its warranty answer, its history and its plans.
      void qc.invalidateQueries({ predicate: (q) => JSON.stringify(q.queryKey).includes(id) });
    },
  });
  return (
    <Card withBorder data-testid="device-plans">
      <Title order={2} size="h4" mb="xs">{t('money.console.plans')}</Title>
      <Loaded s={s}>
        {(p) => (
          <Stack gap="xs">
            <Text size="sm" data-testid="plans-coverage-end">{t('money.console.coverageEnd')}: <b>{p.coverage.end ? fmtDate(p.coverage.end) : t('money.console.noEnd')}</b>{p.coverage.end && p.coverage.rule ? ` (${p.coverage.rule})` : ''} · {t(`status.${p.coverage.status}`, p.coverage.status)}</Text>
            {p.offers.length === 0 && <Text size="sm" c="dark.4">{t('money.console.noOffers')}</Text>}
            {p.offers.length > 0 && (
              <Select label={t('money.console.method')} data={(['cash', 'card-terminal'] as const).map((m) => ({ value: m, label: t(`method.${m}`) }))} value={method} onChange={(v) => v && setMethod(v as typeof method)} allowDeselect={false} w={200} />
            )}
            {p.offers.map((o) => (
              <Group key={o.id} justify="space-between" gap="xs" wrap="wrap" data-testid="plan-offer" data-plan={o.id}>
                <Text size="sm">{inLang(o.name)} · {o.rule} · {t(`money.plans.window.${o.window}`)}</Text>
                {o.priceMinor !== undefined && <Button size="xs" onClick={() => sell.mutate(o.id)} loading={sell.isPending && sell.variables === o.id} data-testid="plan-sell">{t('money.console.sellFor', { price: fmtMoney(o.priceMinor, o.currency) })}</Button>}
              </Group>
            ))}
            <ErrorNote error={sell.error} />
            {p.sales.length > 0 && (
              <>
                <Text fw={600} size="sm">{t('money.console.sold')}</Text>
                <List size="sm" data-testid="plan-sales">
                  {p.sales.map((x) => <List.Item key={x.id}>{inLang(x.name)} · {fmtMoney(x.priceMinor, x.currency)} · {t(`money.plans.state.${x.state}`)} · {t(`money.console.channel.${x.channel}`, x.channel)}{x.paidOn ? ` · ${fmtDate(x.paidOn)}` : ''}
                    {x.refundFailure && <Text span size="sm" c="red.8" fw={600} data-testid="plan-refund-failed"> · {t('payments.refundFailed', { reason: t(`payments.failure.${x.refundFailure.reason}`, { defaultValue: x.refundFailure.reason }) })}</Text>}
                  </List.Item>)}
                </List>
              </>
            )}
          </Stack>
        )}
      </Loaded>
    </Card>
  );
}
