// The support desk in the console (issue 13): the queue (by level, assignee, severity, at-risk) with
// the triage list of unmatched mail, the ticket page (its thread, its clocks, the actions legal now).
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Select, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Body, type Query, type Schemas } from '../lib/api';
import { fmtDateTime, fmtDuration, fmtMoney } from '../lib/i18n';
import { linkProps, navigate } from '../lib/router';
import { ErrorNote, Loaded } from '../lib/ui';

export type Ticket = Schemas['SupportTicket'];
type Detail = Schemas['SupportTicketDetail'];
type ActionBody = Body<'/api/v1/support-tickets/{id}/actions'>;
type QueueQuery = Query<'/api/v1/support-tickets'>;

export const supportKeys = {
  queue: (q: QueueQuery) => ['support', 'queue', q] as const,
  ticket: (id: string) => ['support', 'ticket', id] as const,
  triage: ['support', 'triage'] as const,
};
const LEVELS = ['L1', 'L2', 'L3'];

export function TicketsTable({ items }: { items: Ticket[] }) {
  const { t } = useTranslation();
  if (!items.length) return <Text c="dark.5">{t('support.none')}</Text>;
  return (
    <Table.ScrollContainer minWidth={640} type="native">
      <Table striped highlightOnHover data-testid="support-queue">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('support.number')}</Table.Th>
            <Table.Th>{t('support.kind')}</Table.Th>
            <Table.Th>{t('support.subject')}</Table.Th>
            <Table.Th>{t('support.level')}</Table.Th>
            <Table.Th>{t('support.assignee')}</Table.Th>
            <Table.Th>{t('support.stateLabel')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((x) => (
            <Table.Tr key={x.id} data-ticket={x.number}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}><Anchor {...linkProps(`/support/tickets/${x.id}`)}>{x.number}</Anchor></Table.Td>
              <Table.Td>{t(`support.kinds.${x.kind}`)}{x.severity === 'severe' && <Badge ml={4} color="red.9" size="xs">{t('support.severe')}</Badge>}</Table.Td>
              <Table.Td>{x.subject.slice(0, 70)}{x.customer ? <Text size="xs" c="dark.5">{x.customer.name}</Text> : x.contact ? <Text size="xs" c="dark.5">{x.contact.name}</Text> : null}</Table.Td>
              <Table.Td><Badge variant="light" color="dark">{x.level}</Badge>{x.atRisk && <Badge ml={4} color="orange.9" data-testid="at-risk">{t('support.atRisk')}</Badge>}</Table.Td>
              <Table.Td>{x.assignee?.name ?? '—'}</Table.Td>
              <Table.Td>{t(`support.states.${x.state}`)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

export function SupportPage() {
  const { t } = useTranslation();
  const [level, setLevel] = useState<string | null>(null);
  const [severity, setSeverity] = useState<string | null>(null);
  const [atRisk, setAtRisk] = useState(false);
  const [mine, setMine] = useState<string | null>(null);
  const staff = useQuery({ queryKey: ['staff-users'], queryFn: ({ signal }) => ok(api.GET('/api/v1/staff-users', { signal })) });
  const q: QueueQuery = { open: 'true', limit: 100, ...(level ? { level } : {}), ...(severity ? { severity: severity as 'severe' } : {}), ...(atRisk ? { atRisk: 'true' } : {}), ...(mine ? { assigneeId: mine } : {}) };
  const s = useQuery({ queryKey: supportKeys.queue(q), queryFn: ({ signal }) => ok(api.GET('/api/v1/support-tickets', { params: { query: q }, signal })) });
  const triage = useQuery({ queryKey: supportKeys.triage, queryFn: ({ signal }) => ok(api.GET('/api/v1/support-triage', { params: { query: { limit: 100 } }, signal })) });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={1} size="h2">{t('support.title')}</Title>
        <Group gap="xs">
          <Button component="a" variant="outline" {...linkProps('/contracts')}>{t('support.contracts')}</Button>
        </Group>
      </Group>
      <Tabs defaultValue="queue" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="queue">{t('support.queue')}</Tabs.Tab>
          <Tabs.Tab value="triage" data-testid="triage-tab">{t('support.triage')} ({triage.data?.items.length ?? 0})</Tabs.Tab>
          <Tabs.Tab value="new">{t('support.newTicket')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="queue" pt="sm">
          <Group gap="sm" mb="sm" align="flex-end">
            <Select label={t('support.level')} data={LEVELS} value={level} onChange={setLevel} clearable w={110} data-testid="filter-level" />
            <Select label={t('support.severity')} data={[{ value: 'severe', label: t('support.severe') }, { value: 'normal', label: t('support.normal') }]} value={severity} onChange={setSeverity} clearable w={150} />
            <Select label={t('support.assignee')} data={(staff.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))} value={mine} onChange={setMine} clearable w={220} />
            <Checkbox label={t('support.atRisk')} checked={atRisk} onChange={(e) => setAtRisk(e.currentTarget.checked)} mb={8} data-testid="filter-at-risk" />
          </Group>
          <Loaded s={s}>{(p) => <TicketsTable items={p.items} />}</Loaded>
        </Tabs.Panel>
        <Tabs.Panel value="triage" pt="sm">
          <Loaded s={triage}>{(p) => <TriageList items={p.items} />}</Loaded>
        </Tabs.Panel>
        <Tabs.Panel value="new" pt="sm">
          <NewTicket />
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function TriageList({ items }: { items: Schemas['SupportMessage'][] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [customer, setCustomer] = useState<Record<string, string>>({});
  const customers = useQuery({ queryKey: ['customers', 'list', { limit: 200 }], queryFn: ({ signal }) => ok(api.GET('/api/v1/customers', { params: { query: { limit: 200 } }, signal })) });
  const settle = useMutation({
    mutationFn: ({ id, body }: { id: string; body: Body<'/api/v1/support-triage/{id}'> }) => ok(api.POST('/api/v1/support-triage/{id}', { params: { path: { id } }, body })),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['support'] }),
  });
  if (!items.length) return <Text c="dark.5">{t('support.triageEmpty')}</Text>;
  return (
    <Stack data-testid="triage">
      <Text size="sm">{t('support.triageIntro')}</Text>
      <ErrorNote error={settle.error} />
      {items.map((m) => (
        <Card key={m.id} withBorder data-from={m.from}>
          <Group justify="space-between"><Text fw={600}>{m.subject}</Text><Badge color="orange.9">{t(`support.triageReason.${m.triage?.reason}`, m.triage?.reason ?? '')}</Badge></Group>
          <Text size="sm" c="dark.5">{m.author ? `${m.author} · ` : ''}{m.from} · {fmtDateTime(m.createdAt)}</Text>
          <Text size="sm" mt={4} style={{ whiteSpace: 'pre-wrap' }}>{m.body.slice(0, 600)}</Text>
          <Group mt="xs" align="flex-end">
            <Select label={t('support.customer')} searchable data={(customers.data?.items ?? []).map((c) => ({ value: c.id, label: `${c.name}${c.email ? ` <${c.email}>` : ''}` }))} value={customer[m.id] ?? null} onChange={(v) => setCustomer({ ...customer, [m.id]: v ?? '' })} w={320} />
            <Button size="xs" disabled={!customer[m.id]} onClick={() => settle.mutate({ id: m.id, body: { action: 'open-ticket', customerId: customer[m.id] } })}>{t('support.openFromMail')}</Button>
            <Button size="xs" variant="subtle" onClick={() => settle.mutate({ id: m.id, body: { action: 'dismiss', reason: t('support.dismissed') } })}>{t('support.dismiss')}</Button>
          </Group>
        </Card>
      ))}
    </Stack>
  );
}

function NewTicket() {
  const { t } = useTranslation();
  const [customerId, setCustomerId] = useState<string | null>(null);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const [kind, setKind] = useState<string>('incident');
  const [severe, setSevere] = useState(false);
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const customers = useQuery({ queryKey: ['customers', 'list', { limit: 200 }], queryFn: ({ signal }) => ok(api.GET('/api/v1/customers', { params: { query: { limit: 200 } }, signal })) });
  const devices = useQuery({ enabled: !!customerId, queryKey: ['devices', 'list', { customerId }], queryFn: ({ signal }) => ok(api.GET('/api/v1/devices', { params: { query: { customerId: customerId!, limit: 200 } }, signal })) });
  const create = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/support-tickets', { headers: { 'idempotency-key': idemKey() }, body: { kind: kind as 'incident', channel: 'phone', customerId, deviceId, subject, description, severity: severe ? 'severe' : 'normal' } })),
    onSuccess: (x) => navigate(`/support/tickets/${x.id}`),
  });
  return (
    <Stack maw={640}>
      <Select label={t('support.kind')} data={['incident', 'question', 'paid-help'].map((k) => ({ value: k, label: t(`support.kinds.${k}`) }))} value={kind} onChange={(v) => setKind(v ?? 'incident')} allowDeselect={false} data-testid="new-kind" />
      <Select label={t('support.customer')} searchable data={(customers.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))} value={customerId} onChange={setCustomerId} data-testid="new-customer" />
      {kind === 'incident' && <Select label={t('support.device')} data={(devices.data?.items ?? []).map((d) => ({ value: d.id, label: `${d.serial} · ${d.model ?? ''}` }))} value={deviceId} onChange={setDeviceId} data-testid="new-device" />}
      <TextInput label={t('support.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} required data-testid="new-subject" />
      <Textarea label={t('support.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} required autosize minRows={3} data-testid="new-description" />
      {kind === 'incident' && <Checkbox label={t('support.severeHint')} checked={severe} onChange={(e) => setSevere(e.currentTarget.checked)} />}
      <ErrorNote error={create.error} />
      <ProblemOffer error={create.error} />
      <Group><Button onClick={() => create.mutate()} loading={create.isPending} data-testid="new-submit">{t('support.open')}</Button></Group>
    </Stack>
  );
}

/** What the policy offers instead when a contract does not cover (VN-8). */
function ProblemOffer({ error }: { error: unknown }) {
  const { i18n } = useTranslation();
  const p = (error as { problem?: { offer?: { rule: string; text: Record<string, string> } | null } } | null)?.problem;
  if (!p?.offer) return null;
  return <Alert color="yellow" data-testid="offer">{p.offer.text[i18n.language] ?? p.offer.text.en} ({p.offer.rule})</Alert>;
}

export function TicketPage({ id }: { id: string }) {
  const qc = useQueryClient();
  const s = useQuery({ queryKey: supportKeys.ticket(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/support-tickets/{id}', { params: { path: { id } }, signal })) });
  const act = useMutation({
    mutationFn: (body: ActionBody) => ok(api.POST('/api/v1/support-tickets/{id}/actions', { params: { path: { id } }, body })),
    onSuccess: (d) => {
      qc.setQueryData(supportKeys.ticket(id), d);
      void qc.invalidateQueries({ queryKey: ['support', 'queue'] });
    },
  });
  return <Loaded s={s}>{(d) => <TicketView d={d} act={act} />}</Loaded>;
}

/** The desk's own events in the reader's language (the stored text is the English record). */
function eventText(t: (k: string, o?: Record<string, unknown>) => string, m: Schemas['SupportMessage']) {
  const d = m.data as { from?: string; to?: string; reason?: string; reasonCode?: string; reasonParams?: Record<string, string>; told?: { name: string }[]; assigneeId?: string | null; assignee?: string | null; level?: string; assigned?: boolean; serviceOrderId?: string; rmaId?: string; number?: string; reopened?: boolean; by?: 'client' | 'staff' } | null;
  if (m.direction !== 'event' || !d) return null;
  if (d.reopened) return d.by === 'client' ? t('support.reopenedByClient') : t('support.reopenedByStaff', { reason: d.reason ?? '' });
  if (d.serviceOrderId) return t('support.orderOpenedEvent', { number: d.number ?? '' });
  if (d.rmaId) return t('support.rmaOpenedEvent', { number: d.number ?? '' });
  if ('assigned' in d && d.level) return 'assigneeId' in d ? t('support.assignedEvent', { name: d.assignee ?? '—', level: d.level }) : t('support.levelEvent', { level: d.level });
  if (!d.to || !d.from) return null;
  // The desk's own reason (a clock at risk) is a code, said in the reader's language; a person's, as they wrote it.
  const reason = d.reasonCode ? t(`support.reason.${d.reasonCode}`, { ...d.reasonParams, clock: clockName(t, d.reasonParams?.clock ?? '') }) : (d.reason ?? '');
  return t('support.escalatedEvent', { from: d.from, to: d.to, reason, told: (d.told ?? []).map((x) => x.name).join(', ') || '—' });
}

/** A pack clock by its name in the reader's language ("maintenance incident"), its id when we have no words for it. */
export function clockName(t: (k: string, o?: Record<string, unknown>) => string, id: string) {
  return t(`support.clockName.${id}`, { defaultValue: id });
}

type Act = { mutate: (b: ActionBody) => void; isPending: boolean; error: unknown };

function TicketView({ d, act }: { d: Detail; act: Act }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [recovery, setRecovery] = useState('');
  const [downtime, setDowntime] = useState('');
  const [minutes, setMinutes] = useState('');
  const can = (a: string) => d.allowedActions.includes(a);
  const send = (b: Record<string, unknown>) => act.mutate({ version: d.version, ...b } as ActionBody);
  const now = Date.now();
  return (
    <Stack>
      <Group justify="space-between" align="flex-start">
        <div>
          <Title order={1} size="h2" data-testid="ticket-number">{d.number}</Title>
          <Text fw={600}>{d.subject}</Text>
          <Group gap="xs" mt={4}>
            <Badge color="dark" data-testid="ticket-state">{t(`support.states.${d.state}`)}</Badge>
            <Badge variant="light" color="dark" data-testid="ticket-level">{d.level}</Badge>
            <Badge variant="outline" color="dark">{t(`support.kinds.${d.kind}`)}</Badge>
            {d.severity === 'severe' && <Badge color="red.9">{t('support.severe')}</Badge>}
            {d.atRisk && <Badge color="orange.9">{t('support.atRisk')}</Badge>}
          </Group>
          <Text size="sm" mt={4}>
            {d.customer?.name ?? d.contact?.name}
            {d.contract && <> · <Anchor {...linkProps(`/contracts/${d.contract.id}`)}>{d.contract.number}</Anchor></>}
            {d.device && ` · ${d.device.serial}`} · {t('support.tier')}: {d.tier}
          </Text>
          {(d.serviceOrder || d.rma) && (
            <Group gap="sm" mt={4}>
              {d.serviceOrder && <Anchor size="sm" {...linkProps(`/orders/${d.serviceOrder.id}`)} data-testid="linked-order">{t('support.linkedOrder')}: {d.serviceOrder.number}</Anchor>}
              {d.rma && <Anchor size="sm" {...linkProps(`/rmas/${d.rma.id}`)} data-testid="linked-rma">{t('support.linkedRma')}: {d.rma.number}</Anchor>}
            </Group>
          )}
        </div>
        <Card withBorder miw={260} data-testid="ticket-clocks">
          <Title order={2} size="h5">{t('support.clocks')}</Title>
          {d.clocks.length === 0 && <Text size="sm" c="dark.5">{t('support.noClocks')}</Text>}
          {d.clocks.map((c) => (
            <div key={c.id} data-clock={c.id} data-status={c.status}>
              <Group gap={6}><Text size="sm" fw={600}>{clockName(t, c.id)}</Text><Badge size="xs" color={c.status === 'breached' || c.status === 'met-late' ? 'red.9' : c.status === 'at-risk' ? 'orange.9' : c.status === 'met' ? 'teal.9' : 'dark'}>{t(`support.clock.${c.status}`, c.status)}</Badge></Group>
              <Text size="xs" c="dark.6">{c.rule} · {t('support.due')} {fmtDateTime(c.due)}{!c.stoppedAt && c.status !== 'paused' ? ` (${new Date(c.due).getTime() > now ? t('support.in', { d: fmtDuration(new Date(c.due).getTime() - now) }) : t('support.ago', { d: fmtDuration(now - new Date(c.due).getTime()) })})` : ''}</Text>
            </div>
          ))}
        </Card>
      </Group>
      <Assignment key={d.version} d={d} act={act} />
      {d.advice && <Alert color="red" title={`${t('support.severeAdvice')} (${d.advice.rule})`} data-testid="severe-advice"><Text size="sm">{d.advice.recovery}</Text><Text size="sm" mt={4}>{d.advice.downtime}</Text></Alert>}
      {d.billing.billable && <Alert color="yellow" data-testid="billing">{t('support.paid', { rule: d.billing.rule ?? '' })} {d.billing.hourlyPriceMinor !== null && `${fmtMoney(d.billing.hourlyPriceMinor, d.billing.currency)} / ${t('support.hour')}`}{d.billing.amountMinor !== null && ` · ${t('support.amount')}: ${fmtMoney(d.billing.amountMinor, d.billing.currency)}`}</Alert>}
      <Card withBorder>
        <Title order={2} size="h4" mb="xs">{t('support.thread')}</Title>
        <Stack gap="xs" data-testid="thread">
          {d.thread.map((m) => (
            <Card key={m.id} p="xs" withBorder bg={m.direction === 'out' ? 'teal.0' : m.direction === 'event' || m.direction === 'note' ? 'gray.0' : undefined} data-direction={m.direction}>
              <Text size="xs" c="dark.6">{t(`support.dir.${m.direction}`)} · {m.channel} · {m.author ?? m.from ?? ''} · {fmtDateTime(m.createdAt)}</Text>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{eventText(t, m) ?? m.body}</Text>
              {m.attachments.map((a) => <Anchor key={a.id} size="sm" href={`/api/v1/support-messages/${m.id}/attachments/${a.id}`} data-testid="attachment">📎 {a.filename}</Anchor>)}
            </Card>
          ))}
        </Stack>
      </Card>
      <Card withBorder>
        <Stack gap="xs">
          <Textarea label={t('support.message')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} data-testid="reply-text" />
          <ErrorNote error={act.error} />
          <Group gap="xs">
            {can('reply') && <Button size="sm" disabled={!text.trim()} loading={act.isPending} onClick={() => { send({ action: 'reply', body: text }); setText(''); }} data-testid="reply">{t('support.reply')}</Button>}
            {can('request-data') && <Button size="sm" variant="outline" disabled={!text.trim()} onClick={() => { send({ action: 'request-data', body: text }); setText(''); }} data-testid="request-data">{t('support.requestData')}</Button>}
            {can('note') && <Button size="sm" variant="subtle" disabled={!text.trim()} onClick={() => { send({ action: 'note', body: text }); setText(''); }}>{t('support.note')}</Button>}
            {d.state === 'awaiting-client' && <Button size="sm" variant="outline" disabled={!text.trim()} onClick={() => { send({ action: 'client-replied', body: text, channel: 'phone' }); setText(''); }}>{t('support.clientReplied')}</Button>}
            {can('open-service-order') && !d.serviceOrderId && <Button size="sm" variant="outline" onClick={() => send({ action: 'open-service-order' })} data-testid="open-order">{t('support.openOrder')}</Button>}
            {can('open-rma') && !d.rma && d.device && <Button size="sm" variant="outline" onClick={() => send({ action: 'open-rma' })} data-testid="open-rma">{t('support.openRma')}</Button>}
          </Group>
          {can('resolve') && (
            <Group gap="xs" align="flex-end">
              {d.billing.billable && <TextInput label={t('support.minutes')} value={minutes} onChange={(e) => setMinutes(e.currentTarget.value.replace(/\D/g, ''))} w={120} />}
              <Button size="sm" color="teal.9" disabled={!text.trim()} onClick={() => { send({ action: 'resolve', summary: text, ...(minutes ? { billableMinutes: Number(minutes) } : {}) }); setText(''); }} data-testid="resolve">{t('support.resolve')}</Button>
            </Group>
          )}
          {(can('close') || can('reopen')) && (
            <Group gap="xs">
              {can('reopen') && <Button size="sm" variant="outline" disabled={!text.trim()} onClick={() => { send({ action: 'reopen', reason: text }); setText(''); }} data-testid="reopen">{t('support.reopen')}</Button>}
              {can('close') && <Button size="sm" variant="outline" onClick={() => send({ action: 'close' })} data-testid="close">{t('support.close')}</Button>}
            </Group>
          )}
        </Stack>
      </Card>
      {can('record-severe') && (
        <Card withBorder>
          <Title order={2} size="h5">{t('support.severeAdvice')}</Title>
          <Textarea label={t('support.recovery')} value={recovery} onChange={(e) => setRecovery(e.currentTarget.value)} autosize />
          <Textarea label={t('support.downtime')} value={downtime} onChange={(e) => setDowntime(e.currentTarget.value)} autosize />
          <Group mt="xs"><Button size="sm" color="red.9" disabled={!recovery.trim() || !downtime.trim()} onClick={() => send({ action: 'record-severe', recoveryAdvice: recovery, downtimeAdvice: downtime })}>{t('support.recordSevere')}</Button></Group>
        </Card>
      )}
    </Stack>
  );
}

/** Who works the ticket and at which level (ITM-2: L1 → L2 → L3); escalation by hand, with who was told. */
function Assignment({ d, act }: { d: Detail; act: Act }) {
  const { t } = useTranslation();
  const staff = useQuery({ queryKey: ['support', 'staff'], queryFn: ({ signal }) => ok(api.GET('/api/v1/support-staff', { signal })) });
  const tiers = useQuery({ queryKey: ['support', 'tiers'], queryFn: ({ signal }) => ok(api.GET('/api/v1/support-tiers', { signal })) });
  const levels = tiers.data?.levels ?? LEVELS;
  const [assignee, setAssignee] = useState<string | null>(d.assignee?.id ?? null);
  const [level, setLevel] = useState<string | null>(d.level);
  const [to, setTo] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const can = (a: string) => d.allowedActions.includes(a);
  const higher = levels.slice(levels.indexOf(d.level) + 1);
  const lastEscalation = [...d.thread].reverse().find((m) => m.direction === 'event' && (m.data as { told?: unknown } | null)?.told);
  const told = (lastEscalation?.data as { told?: { name: string }[] } | undefined)?.told ?? [];
  if (!can('assign') && !can('escalate')) return null;
  return (
    <Card withBorder data-testid="assignment">
      <Group align="flex-end" gap="sm">
        <Select label={t('support.assignee')} data={(staff.data?.items ?? []).map((u) => ({ value: u.id, label: `${u.name} · ${t(`role.${u.role}`, u.role)}` }))} value={assignee} onChange={setAssignee} clearable searchable w={260} data-testid="assignee-picker" />
        <Select label={t('support.level')} data={levels} value={level} onChange={setLevel} allowDeselect={false} w={100} data-testid="level-picker" />
        {can('assign') && (
          <Button size="sm" variant="outline" loading={act.isPending} disabled={(assignee ?? null) === (d.assignee?.id ?? null) && level === d.level}
            onClick={() => act.mutate({ action: 'assign', version: d.version, ...((assignee ?? null) !== (d.assignee?.id ?? null) ? { assigneeId: assignee } : {}), ...(level !== d.level && level ? { level } : {}) } as ActionBody)} data-testid="assign">
            {t('support.assign')}
          </Button>
        )}
      </Group>
      {can('escalate') && higher.length > 0 && (
        <Group align="flex-end" gap="sm" mt="sm">
          <Select label={t('support.escalateTo')} data={higher} value={to ?? higher[0]} onChange={setTo} allowDeselect={false} w={100} data-testid="escalate-to" />
          <TextInput label={t('support.escalateWhy')} value={reason} onChange={(e) => setReason(e.currentTarget.value)} w={300} data-testid="escalate-reason" />
          <Button size="sm" color="orange.9" loading={act.isPending} onClick={() => { act.mutate({ action: 'escalate', version: d.version, level: to ?? higher[0], reason: reason.trim() || t('support.escalatedByHand') } as ActionBody); setReason(''); setTo(null); }} data-testid="escalate">{t('support.escalate')}</Button>
        </Group>
      )}
      {told.length > 0 && <Text size="sm" mt="xs" data-testid="told">{t('support.toldLast', { names: told.map((x) => x.name).join(', ') })}</Text>}
    </Card>
  );
}

/** On a service order's or an RMA's page: the support ticket it came from (the other half of the link). */
export function FromTicket({ serviceOrderId, rmaId }: { serviceOrderId?: string; rmaId?: string }) {
  const { t } = useTranslation();
  const q: QueueQuery = { limit: 5, ...(serviceOrderId ? { serviceOrderId } : {}), ...(rmaId ? { rmaId } : {}) };
  const s = useQuery({ queryKey: supportKeys.queue(q), queryFn: ({ signal }) => ok(api.GET('/api/v1/support-tickets', { params: { query: q }, signal })), retry: false });
  const x = s.data?.items[0];
  if (!x) return null;
  return <Text size="sm" data-testid="from-ticket">{t('support.fromTicket')}: <Anchor {...linkProps(`/support/tickets/${x.id}`)}>{x.number}</Anchor> · {x.subject}</Text>;
}
