// Maintenance contracts in the console (issue 13): the list, and the contract page: scope, term,
// tier, included services, its tickets, its training sessions (working days only, VN-5) with
// attendance, and its SLA compliance (first answer and fix in time, per window) with the CSV.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Body, type Schemas } from '../lib/api';
import { fmtDate, fmtDateTime, fmtMoney, inLang } from '../lib/i18n';
import { linkProps } from '../lib/router';
import { ErrorNote, Loaded } from '../lib/ui';
import { TicketsTable } from './Support';

type Contract = Schemas['Contract'];
type Training = Schemas['TrainingSession'];
type Tally = Schemas['SlaCompliance']['total']['response'];

const STATUS_COLOR: Record<string, string> = { active: 'teal.9', expired: 'gray.7', cancelled: 'red.9', 'not-started': 'blue.9' };

export function ContractsPage() {
  const { t } = useTranslation();
  const s = useQuery({ queryKey: ['contracts', 'list'], queryFn: ({ signal }) => ok(api.GET('/api/v1/contracts', { params: { query: { limit: 200 } }, signal })) });
  return (
    <Stack>
      <Title order={1} size="h2">{t('support.contracts')}</Title>
      <NewContract />
      <Loaded s={s}>
        {(p) => (
          <Table.ScrollContainer minWidth={640} type="native">
            <Table striped highlightOnHover data-testid="contracts">
              <Table.Thead>
                <Table.Tr><Table.Th>{t('support.number')}</Table.Th><Table.Th>{t('support.customer')}</Table.Th><Table.Th>{t('support.tier')}</Table.Th><Table.Th>{t('support.term')}</Table.Th><Table.Th>{t('support.stateLabel')}</Table.Th></Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {p.items.map((c) => (
                  <Table.Tr key={c.id}>
                    <Table.Td><Anchor {...linkProps(`/contracts/${c.id}`)}>{c.number}</Anchor>{c.rule && <Text size="xs" c="dark.5">{c.rule}</Text>}</Table.Td>
                    <Table.Td>{c.customer.name}</Table.Td>
                    <Table.Td>{inLang(c.tier.name)}</Table.Td>
                    <Table.Td>{fmtDate(c.startsOn)} – {fmtDate(c.endsOn)}</Table.Td>
                    <Table.Td><Badge color={STATUS_COLOR[c.status]}>{t(`support.contractStatus.${c.status}`)}</Badge></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </Loaded>
    </Stack>
  );
}

function NewContract() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [tier, setTier] = useState<string | null>(null);
  const [startsOn, setStartsOn] = useState('');
  const [endsOn, setEndsOn] = useState('');
  const [price, setPrice] = useState('');
  const [trainings, setTrainings] = useState('');
  const [deviceIds, setDeviceIds] = useState<string[]>([]);
  const tiers = useQuery({ enabled: open, queryKey: ['support', 'tiers'], queryFn: ({ signal }) => ok(api.GET('/api/v1/support-tiers', { signal })) });
  const customers = useQuery({ enabled: open, queryKey: ['customers', 'list', { limit: 200 }], queryFn: ({ signal }) => ok(api.GET('/api/v1/customers', { params: { query: { limit: 200 } }, signal })) });
  const devices = useQuery({ enabled: !!customerId, queryKey: ['devices', 'list', { customerId }], queryFn: ({ signal }) => ok(api.GET('/api/v1/devices', { params: { query: { customerId: customerId!, limit: 200 } }, signal })) });
  const create = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/contracts', { headers: { 'idempotency-key': idemKey() }, body: { customerId: customerId!, tier: tier ?? '', startsOn, endsOn, deviceIds, ...(price ? { priceMinor: Number(price) } : {}), included: [{ service: 'incident-fixing' }, { service: 'operating-questions' }, ...(trainings ? [{ service: 'training-sessions' as const, quantity: Number(trainings) }] : [])] } })),
    onSuccess: () => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: ['contracts'] });
    },
  });
  if (!open) return <Group><Button variant="outline" onClick={() => setOpen(true)} data-testid="new-contract">{t('support.newContract')}</Button></Group>;
  return (
    <Card withBorder>
      <SimpleGrid cols={{ base: 1, sm: 2 }}>
        <Select label={t('support.customer')} searchable data={(customers.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} value={customerId} onChange={setCustomerId} />
        <Select label={t('support.tier')} data={(tiers.data?.tiers ?? []).map((x) => ({ value: x.id, label: `${inLang(x.name)} (${x.rule})` }))} value={tier} onChange={setTier} />
        <TextInput label={t('support.startsOn')} type="date" value={startsOn} onChange={(e) => setStartsOn(e.currentTarget.value)} />
        <TextInput label={t('support.endsOn')} type="date" value={endsOn} onChange={(e) => setEndsOn(e.currentTarget.value)} />
        <TextInput label={t('support.priceMinor')} value={price} onChange={(e) => setPrice(e.currentTarget.value.replace(/\D/g, ''))} />
        <TextInput label={t('support.trainingsIncluded')} value={trainings} onChange={(e) => setTrainings(e.currentTarget.value.replace(/\D/g, ''))} />
      </SimpleGrid>
      {customerId && (
        <Group mt="xs" gap="sm">
          {(devices.data?.items ?? []).map((d) => <Checkbox key={d.id} label={`${d.serial} ${d.model ?? ''}`} checked={deviceIds.includes(d.id)} onChange={(e) => setDeviceIds(e.currentTarget.checked ? [...deviceIds, d.id] : deviceIds.filter((x) => x !== d.id))} />)}
        </Group>
      )}
      <ErrorNote error={create.error} />
      <Group mt="sm"><Button disabled={!customerId || !tier || !startsOn || !endsOn} onClick={() => create.mutate()} loading={create.isPending}>{t('support.createContract')}</Button><Button variant="subtle" onClick={() => setOpen(false)}>{t('support.cancel')}</Button></Group>
    </Card>
  );
}

export function ContractPage({ id }: { id: string }) {
  const s = useQuery({ queryKey: ['contracts', 'detail', id], queryFn: ({ signal }) => ok(api.GET('/api/v1/contracts/{id}', { params: { path: { id } }, signal })) });
  return <Loaded s={s}>{(c) => <ContractView c={c} />}</Loaded>;
}

function ContractView({ c }: { c: Contract }) {
  const { t } = useTranslation();
  const tickets = useQuery({ queryKey: ['support', 'queue', { contractId: c.id }], queryFn: ({ signal }) => ok(api.GET('/api/v1/support-tickets', { params: { query: { contractId: c.id, limit: 100 } }, signal })) });
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2" data-testid="contract-number">{c.number}</Title>
          <Text>{c.customer.name}</Text>
          <Group gap="xs" mt={4}>
            <Badge color={STATUS_COLOR[c.status]} data-testid="contract-status">{t(`support.contractStatus.${c.status}`)}</Badge>
            <Badge variant="light" color="dark">{inLang(c.tier.name)} · {c.tier.calendar === '24/7' ? t('support.allDay') : t('support.businessDays')}</Badge>
            {c.rule && <Badge variant="outline" color="dark">{c.rule}</Badge>}
          </Group>
        </div>
        <Card withBorder>
          <Text size="sm">{t('support.term')}: {fmtDate(c.startsOn)} – {fmtDate(c.endsOn)}</Text>
          <Text size="sm">{t('support.renewal')}: {fmtDate(c.renewalOn)}</Text>
          <Text size="sm">{t('support.price')}: {fmtMoney(c.priceMinor, c.currency)}</Text>
        </Card>
      </Group>
      <SimpleGrid cols={{ base: 1, md: 2 }}>
        <Card withBorder>
          <Title order={2} size="h5">{t('support.scope')}</Title>
          {c.devices.length === 0 && c.sites.length === 0 && <Text size="sm">{t('support.allDevices')}</Text>}
          {c.devices.map((d) => <Text key={d.id} size="sm">{d.serial} · {d.manufacturer} {d.model ?? ''}</Text>)}
          {c.sites.map((s) => <Text key={s} size="sm">{t('support.site')}: {s}</Text>)}
        </Card>
        <Card withBorder>
          <Title order={2} size="h5">{t('support.included')}</Title>
          {c.included.map((i) => <Text key={i.service} size="sm">{t(`support.services.${i.service}`, i.service)}{i.quantity !== null ? ` × ${i.quantity}` : ''}</Text>)}
        </Card>
      </SimpleGrid>
      {(c.status === 'expired' || c.status === 'cancelled') && <Alert color="gray" data-testid="contract-lapsed">{t('support.lapsed', { date: fmtDate(c.endsOn) })}</Alert>}
      <RenewCancel c={c} />
      <Sla id={c.id} />
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">{t('support.tickets')}</Title>
        <Loaded s={tickets}>{(p) => <TicketsTable items={p.items} />}</Loaded>
      </Card>
      <TrainingCard c={c} />
    </Stack>
  );
}

const pct = (x: Tally) => (x.compliance === null ? '—' : `${x.compliance} %`);

function Sla({ id }: { id: string }) {
  const { t } = useTranslation();
  const s = useQuery({ queryKey: ['support', 'sla', id], queryFn: ({ signal }) => ok(api.GET('/api/v1/contracts/{id}/sla', { params: { path: { id }, query: { window: 'month' } }, signal })) });
  return (
    <Card withBorder data-testid="sla">
      <Group justify="space-between">
        <Title order={2} size="h4">{t('support.sla')}</Title>
        <Anchor href={`/api/v1/contracts/${id}/sla.csv`} size="sm" data-testid="sla-csv">CSV</Anchor>
      </Group>
      <Loaded s={s}>
        {(r) => (
          <>
            <Group gap="xl" my="xs">
              <div><Text size="sm" c="dark.6">{t('support.firstResponse')}</Text><Text fz={28} fw={700} data-testid="sla-response">{pct(r.total.response)}</Text><Text size="xs">{t('support.metOf', { met: r.total.response.met, of: r.total.response.met + r.total.response.late + r.total.response.breached })}</Text></div>
              <div><Text size="sm" c="dark.6">{t('support.resolution')}</Text><Text fz={28} fw={700} data-testid="sla-resolution">{pct(r.total.resolution)}</Text><Text size="xs">{t('support.metOf', { met: r.total.resolution.met, of: r.total.resolution.met + r.total.resolution.late + r.total.resolution.breached })}</Text></div>
            </Group>
            <Table>
              <Table.Thead><Table.Tr><Table.Th>{t('support.window')}</Table.Th><Table.Th>{t('support.tickets')}</Table.Th><Table.Th>{t('support.firstResponse')}</Table.Th><Table.Th>{t('support.resolution')}</Table.Th></Table.Tr></Table.Thead>
              <Table.Tbody>{r.windows.map((w) => <Table.Tr key={w.start}><Table.Td>{fmtDate(w.start)}</Table.Td><Table.Td>{w.tickets}</Table.Td><Table.Td>{pct(w.response)}</Table.Td><Table.Td>{pct(w.resolution)}</Table.Td></Table.Tr>)}</Table.Tbody>
            </Table>
          </>
        )}
      </Loaded>
    </Card>
  );
}

function TrainingCard({ c }: { c: Contract }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery({ queryKey: ['support', 'training', c.id], queryFn: ({ signal }) => ok(api.GET('/api/v1/training-sessions', { params: { query: { contractId: c.id, limit: 100 } }, signal })) });
  const [topic, setTopic] = useState('');
  const [when, setWhen] = useState('');
  const [channel, setChannel] = useState<string>('online');
  const [people, setPeople] = useState('');
  const schedule = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/training-sessions', { headers: { 'idempotency-key': idemKey() }, body: { contractId: c.id, topic, channel, startsAt: new Date(when).toISOString(), durationMinutes: 90, attendees: people.split(',').map((n) => n.trim()).filter(Boolean).map((name) => ({ name })) } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['support', 'training', c.id] }),
  });
  return (
    <Card withBorder data-testid="training">
      <Title order={2} size="h4" mb="xs">{t('support.training')}</Title>
      <Loaded s={s}>{(p) => <Stack gap="xs">{p.items.map((x) => <TrainingRow key={x.id} x={x} contractId={c.id} />)}</Stack>}</Loaded>
      <Group mt="sm" align="flex-end" gap="xs">
        <TextInput label={t('support.topic')} value={topic} onChange={(e) => setTopic(e.currentTarget.value)} data-testid="training-topic" />
        <TextInput label={t('support.when')} type="datetime-local" value={when} onChange={(e) => setWhen(e.currentTarget.value)} data-testid="training-when" />
        <Select label={t('support.channel')} data={['online', 'phone', 'email', 'on-site']} value={channel} onChange={(v) => setChannel(v ?? 'online')} w={120} allowDeselect={false} />
        <TextInput label={t('support.attendees')} value={people} onChange={(e) => setPeople(e.currentTarget.value)} data-testid="training-people" />
        <Button disabled={!topic.trim() || !when} onClick={() => schedule.mutate()} loading={schedule.isPending} data-testid="training-submit">{t('support.schedule')}</Button>
      </Group>
      <ErrorNote error={schedule.error} />
    </Card>
  );
}

function TrainingRow({ x, contractId }: { x: Training; contractId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [present, setPresent] = useState<Record<string, boolean>>(() => Object.fromEntries(x.attendees.map((a) => [a.name, a.attended ?? false])));
  const save = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/training-sessions/{id}/actions', { params: { path: { id: x.id } }, body: { action: 'attendance', version: x.version, attendees: x.attendees.map((a) => ({ name: a.name, email: a.email, attended: !!present[a.name] })) } })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['support', 'training', contractId] }),
  });
  return (
    <Card p="xs" withBorder data-training={x.number} data-state={x.state}>
      <Group justify="space-between"><Text fw={600}>{x.number} · {x.topic}</Text><Badge color={x.state === 'held' ? 'teal.9' : 'dark'}>{t(`support.trainingState.${x.state}`)}</Badge></Group>
      <Text size="sm">{fmtDateTime(x.startsAt)} · {x.channel} · {x.rule}</Text>
      {x.attendees.length > 0 && x.state !== 'cancelled' && (
        <Group gap="sm" mt={4}>
          {x.attendees.map((a) => <Checkbox key={a.name} label={a.name} checked={!!present[a.name]} onChange={(e) => setPresent({ ...present, [a.name]: e.currentTarget.checked })} />)}
          <Button size="xs" variant="outline" onClick={() => save.mutate()} loading={save.isPending} data-testid="attendance">{t('support.saveAttendance')}</Button>
        </Group>
      )}
      <ErrorNote error={save.error} />
    </Card>
  );
}

/** Renew (a later end, a new reminder before it) or cancel: the version read goes with the request, and a retry with its key is not done twice. */
function RenewCancel({ c }: { c: Contract }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [endsOn, setEndsOn] = useState('');
  const [reason, setReason] = useState('');
  const [confirm, setConfirm] = useState(false);
  const act = useMutation({
    mutationFn: ({ body, key }: { body: Body<'/api/v1/contracts/{id}/actions'>; key: string }) => ok(api.POST('/api/v1/contracts/{id}/actions', { params: { path: { id: c.id } }, headers: { 'idempotency-key': key }, body })),
    onSuccess: (x) => {
      qc.setQueryData(['contracts', 'detail', c.id], x);
      void qc.invalidateQueries({ queryKey: ['contracts', 'list'] });
      setEndsOn('');
      setReason('');
      setConfirm(false);
    },
  });
  if (c.status === 'cancelled') return null;
  return (
    <Card withBorder data-testid="contract-actions">
      <Group align="flex-end" gap="sm">
        <TextInput label={t('support.renewUntil')} type="date" value={endsOn} min={c.endsOn} onChange={(e) => setEndsOn(e.currentTarget.value)} data-testid="renew-until" />
        <Button variant="outline" disabled={!endsOn} loading={act.isPending && act.variables?.body.action === 'renew'} onClick={() => act.mutate({ body: { action: 'renew', version: c.version, endsOn }, key: idemKey() })} data-testid="renew">{t('support.renew')}</Button>
      </Group>
      {c.status !== 'expired' && (
        <Group align="flex-end" gap="sm" mt="sm">
          <TextInput label={t('support.cancelReason')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={320} data-testid="cancel-reason" />
          {!confirm ? (
            <Button variant="subtle" color="red.9" disabled={!reason.trim()} onClick={() => setConfirm(true)} data-testid="cancel-contract">{t('support.cancelContract')}</Button>
          ) : (
            <Button color="red.9" loading={act.isPending} onClick={() => act.mutate({ body: { action: 'cancel', version: c.version, reason }, key: idemKey() })} data-testid="cancel-confirm">{t('support.cancelConfirm')}</Button>
          )}
        </Group>
      )}
      <Text size="xs" c="dark.6" mt="xs">{t('support.renewHint')}</Text>
      <ErrorNote error={act.error} />
    </Card>
  );
}
