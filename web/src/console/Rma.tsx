// RMAs in the console (issue 12): the queues with their counts, a new request, and the RMA page with
// its items (the engine's answer per item), its deadlines and only the actions legal now.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Select, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Body, type Schemas } from '../lib/api';
import { fmtDateTime, fmtMoney, inLang } from '../lib/i18n';
import { linkProps, match, navigate } from '../lib/router';
import { ErrorNote, Loaded } from '../lib/ui';
import { FromTicket } from './Support';

type Rma = Schemas['Rma'];
type RmaDetail = Schemas['RmaDetail'];
type Action = RmaDetail['allowedActions'][number];
type ActionBody = Body<'/api/v1/rmas/{id}/actions'>;
type Queue = 'awaiting-diagnosis' | 'authorized' | 'late-returns' | 'received' | 'inspecting' | 'disputed' | 'resolved';
export const RMA_QUEUES: Queue[] = ['awaiting-diagnosis', 'authorized', 'late-returns', 'received', 'inspecting', 'disputed', 'resolved'];
const TONE: Partial<Record<Queue, string>> = { 'late-returns': 'red', 'awaiting-diagnosis': 'orange', disputed: 'orange' };

const rmaKeys = {
  queues: ['rmas', 'queues'] as const,
  list: (queue?: string) => ['rmas', 'list', queue ?? 'all'] as const,
  detail: (id: string) => ['rmas', 'detail', id] as const,
};

/** /rmas, /rmas/new, /rmas/queue/:queue, /rmas/:id */
export function RmaRoutes({ path }: { path: string }) {
  let m: Record<string, string> | null;
  if (path === '/rmas/new') return <NewRma />;
  if ((m = match('/rmas/queue/:queue', path))) return <RmaHome queue={m.queue} />;
  if ((m = match('/rmas/:id', path))) return <RmaPage id={m.id} />;
  return <RmaHome />;
}

function StateBadge({ state }: { state: string }) {
  const { t } = useTranslation();
  const color = state === 'return-late' ? 'red' : state === 'resolved' || state === 'closed' ? 'teal' : state === 'disputed' ? 'orange' : 'dark';
  return <Badge variant="light" color={color} style={{ overflow: 'visible' }} styles={{ label: { overflow: 'visible' } }} data-testid="rma-state">{t(`rma.state.${state}`, state)}</Badge>;
}

function RmaHome({ queue }: { queue?: string }) {
  const { t } = useTranslation();
  const counts = useQuery({ queryKey: rmaKeys.queues, queryFn: ({ signal }) => ok(api.GET('/api/v1/rmas/queues', { signal })) });
  const list = useQuery({ queryKey: rmaKeys.list(queue), queryFn: ({ signal }) => ok(api.GET('/api/v1/rmas', { params: { query: { limit: 100, ...(queue ? { queue: queue as Queue } : {}) } }, signal })) });
  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">{queue ? t(`rma.queue.${queue}`, queue) : t('rma.title')}</Title>
        <Button component="a" {...linkProps('/rmas/new')}>{t('rma.new')}</Button>
      </Group>
      <Loaded s={counts}>
        {(c) => (
          <SimpleGrid cols={{ base: 2, sm: 4, lg: 7 }} mb="md" data-testid="rma-queues">
            {RMA_QUEUES.map((q) => (
              <Card key={q} withBorder component="a" {...linkProps(`/rmas/queue/${q}`)} aria-label={`${t(`rma.queue.${q}`)}: ${c[q] ?? 0}`} data-queue={q} bg={queue === q ? 'teal.0' : undefined}>
                <Text size="sm" c="dark.5" fw={600}>{t(`rma.queue.${q}`)}</Text>
                <Text fz={32} fw={700} c={c[q] && TONE[q] ? `${TONE[q]}.9` : 'dark.8'}>{c[q] ?? 0}</Text>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </Loaded>
      <Loaded s={list}>{(d) => (d.items.length ? <RmaTable items={d.items} /> : <Text c="dark.4">{t('common.none')}</Text>)}</Loaded>
    </>
  );
}

function RmaTable({ items }: { items: Rma[] }) {
  const { t } = useTranslation();
  return (
    <Table.ScrollContainer minWidth={560} type="native">
      <Table striped highlightOnHover data-testid="rma-list">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('rma.number')}</Table.Th>
            <Table.Th>{t('rma.stateLabel')}</Table.Th>
            <Table.Th>{t('rma.items')}</Table.Th>
            <Table.Th>{t('rma.updated')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((r) => (
            <Table.Tr key={r.id}>
              <Table.Td style={{ whiteSpace: 'nowrap' }}><Anchor {...linkProps(`/rmas/${r.id}`)}>{r.number}</Anchor></Table.Td>
              <Table.Td><StateBadge state={r.state} /></Table.Td>
              <Table.Td>{r.items.map((i) => i.serial).join(', ')}</Table.Td>
              <Table.Td>{fmtDateTime(r.updatedAt)}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

// ---------- a new request (ITM-6: the purchase, the items, the faults, the proofs) ----------

function NewRma() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [invoice, setInvoice] = useState('');
  const [rows, setRows] = useState([{ serial: '', fault: '', logs: false, photos: false }]);
  const [key] = useState(idemKey);
  const create = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/rmas', {
        headers: { 'idempotency-key': key },
        body: { channel: 'console', ...(invoice.trim() ? { invoice: invoice.trim() } : {}), items: rows.map((r) => ({ serial: r.serial.trim(), fault: r.fault, proofs: { logs: r.logs, photos: r.photos } })) },
      })),
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: ['rmas'] });
      navigate(`/rmas/${r.id}`);
    },
  });
  const set = (i: number, k: string, v: string | boolean) => setRows(rows.map((r, j) => (j === i ? { ...r, [k]: v } : r)));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card withBorder component="form" onSubmit={submit} maw={760}>
      <Stack>
        <Title order={1} size="h2">{t('rma.new')}</Title>
        <Text size="sm" c="dark.5">{t('rma.newIntro')}</Text>
        <TextInput label={t('rma.invoice')} description={t('rma.invoiceHint')} value={invoice} onChange={(e) => setInvoice(e.currentTarget.value)} name="invoice" />
        {rows.map((r, i) => (
          <Card key={i} withBorder p="sm" data-testid="rma-new-item">
            <Text fw={600} size="sm">{t('rma.item', { n: i + 1 })}</Text>
            <TextInput label={t('rma.serial')} required value={r.serial} onChange={(e) => set(i, 'serial', e.currentTarget.value)} name={`serial-${i}`} />
            <Textarea label={t('rma.fault')} required value={r.fault} onChange={(e) => set(i, 'fault', e.currentTarget.value)} name={`fault-${i}`} autosize minRows={2} />
            <Group mt="xs">
              <Checkbox label={t('rma.proof.logs')} checked={r.logs} onChange={(e) => set(i, 'logs', e.currentTarget.checked)} />
              <Checkbox label={t('rma.proof.photos')} checked={r.photos} onChange={(e) => set(i, 'photos', e.currentTarget.checked)} />
            </Group>
          </Card>
        ))}
        <Group>
          <Button variant="default" onClick={() => setRows([...rows, { serial: '', fault: '', logs: false, photos: false }])}>{t('rma.addItem')}</Button>
          <Button type="submit" loading={create.isPending} data-testid="rma-submit">{t('rma.submit')}</Button>
        </Group>
        <ErrorNote error={create.error} ns="rma" />
      </Stack>
    </Card>
  );
}

// ---------- the RMA page ----------

function RmaPage({ id }: { id: string }) {
  const s = useQuery({ queryKey: rmaKeys.detail(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/rmas/{id}', { params: { path: { id } }, signal })) });
  return <Loaded s={s}>{(r) => <RmaView r={r} />}</Loaded>;
}

type Decision = NonNullable<RmaDetail['items'][number]['decision']>;
function Answer({ d }: { d: Decision | null }) {
  const { t } = useTranslation();
  if (!d) return <Text size="sm">—</Text>;
  const color = d.outcome === 'covered' ? 'teal' : d.outcome === 'not-covered' ? 'red' : 'yellow';
  const remedies = d.remedies.map((x) => String(x.type));
  return (
    <Stack gap={2}>
      <Badge color={color} variant="light" data-testid="item-outcome">{t(`rma.decision.${d.outcome}`)}{d.provisional ? ` · ${t('rma.provisional')}` : ''}</Badge>
      {remedies.length > 0 && <Text size="xs">{t('rma.remedies')}: {remedies.map((x) => t(`rma.remedy.${x}`, x)).join(', ')}</Text>}
      {d.outcome === 'not-covered' && <Text size="xs" c="red.9">{d.reasons.filter((x) => String(x.code) !== 'provisional').map((x) => `${inLang(x.text as { en: string })} (${String(x.rule)})`).join(' ')}</Text>}
    </Stack>
  );
}

function RmaView({ r }: { r: RmaDetail }) {
  const { t } = useTranslation();
  const ret = r.clocks.find((c) => c.id === r.policy.returnClock);
  return (
    <Stack>
      <Group justify="space-between" align="center">
        <div>
          <Title order={1} size="h2" data-testid="rma-number">{r.number}</Title>
          <Text size="sm" c="dark.5">{r.customer?.name} · {r.invoice ? `${t('rma.invoice')} ${r.invoice}` : t('rma.bySerials')} · {fmtDateTime(r.createdAt)}</Text>
          <FromTicket rmaId={r.id} />
        </div>
        <Group>
          <StateBadge state={r.state} />
          {r.authorizedAt && <Button component="a" variant="default" href={`/api/v1/rmas/${r.id}/slip.pdf`} target="_blank" data-testid="rma-slip">{t('rma.slip')}</Button>}
        </Group>
      </Group>
      {r.accountSuspended && <Alert color="red" data-testid="rma-suspended">{t('rma.suspended', { rule: r.accountSuspended.rule })}</Alert>}
      {r.returnHold && <Alert color="yellow" data-testid="rma-return-hold">{t('rma.held', { reason: r.returnHold.reason, since: fmtDateTime(r.returnHold.since) })}</Alert>}
      {r.lateConsequence && <Alert color="red" data-testid="rma-late-consequence">{t(`rma.late.${String(r.lateConsequence.consequence)}`, { rule: String(r.lateConsequence.rule) })}</Alert>}
      {ret && (
        <Card withBorder data-testid="rma-deadline">
          <Group justify="space-between">
            <div>
              <Text fw={600}>{inLang(ret.text)} ({ret.rule})</Text>
              <Text size="sm">{t('rma.due', { date: fmtDateTime(ret.due) })}</Text>
            </div>
            <Badge color={ret.status === 'met' ? 'teal' : ret.status === 'at-risk' ? 'orange' : ret.status === 'breached' || ret.status === 'escalated' || ret.status === 'met-late' ? 'red' : 'blue'} data-testid="rma-clock-status">{t(`rma.clock.${ret.status}`, ret.status)}</Badge>
          </Group>
        </Card>
      )}
      {r.diagnosis && <Text size="sm" data-testid="rma-diagnosis"><b>{t('rma.diagnosis')} ({String(r.diagnosis.rule ?? '')}):</b> {t(`rma.outcome.${String(r.diagnosis.outcome)}`)} — {String(r.diagnosis.note)}</Text>}
      {r.authorization && <Text size="sm" data-testid="rma-freight">{t('rma.freight', { rule: String((r.authorization.freight as { rule?: string }).rule ?? '') })}</Text>}
      <Table.ScrollContainer minWidth={720} type="native">
        <Table withTableBorder data-testid="rma-items">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>#</Table.Th>
              <Table.Th>{t('rma.serial')}</Table.Th>
              <Table.Th>{t('rma.fault')}</Table.Th>
              <Table.Th>{t('rma.answer')}</Table.Th>
              <Table.Th>{t('rma.resolution')}</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {r.items.map((i) => (
              <Table.Tr key={i.id} data-serial={i.serial}>
                <Table.Td>{i.position}</Table.Td>
                <Table.Td>{i.serial}{i.advanceReplacement ? <Text size="xs" c="teal.9">{t('rma.advanceShipped', { serial: String(i.advanceReplacement.replacementSerial) })}</Text> : null}</Table.Td>
                <Table.Td>{i.fault}{i.findings.length ? <Text size="xs">{t('rma.findings')}: {i.findings.join(', ')}</Text> : null}</Table.Td>
                <Table.Td><Answer d={i.decision} /></Table.Td>
                <Table.Td data-testid="item-resolution">
                  {i.resolution ? t(`rma.resolutionOf.${i.resolution}`) : '—'}
                  {i.serviceOrderId && <div><Anchor size="xs" {...linkProps(`/orders/${i.serviceOrderId}`)}>{String(i.resolutionDetail?.serviceOrderNumber ?? '')}</Anchor></div>}
                  {i.resolutionDetail?.creditNote ? <div><Anchor size="xs" href={String((i.resolutionDetail.creditNote as { url: string }).url)} target="_blank">{String((i.resolutionDetail.creditNote as { number: string }).number)}</Anchor></div> : null}
                  {i.retained && <Text size="xs">{t('rma.retained')}</Text>}
                  {i.resolutionDetail?.replacementRecord ? <div><Anchor size="xs" href={String((i.resolutionDetail.replacementRecord as { url: string }).url)} target="_blank" data-testid="rma-replacement-record">{t('rma.replacementRecord')}</Anchor></div> : null}
                  {i.vendorRma && <Text size="xs">{t('rma.vendor', { vendor: String(i.vendorRma.vendor) })}{i.vendorRma.answer ? ` · ${t(`rma.vendorAnswer.${String(i.vendorRma.answer)}`)}` : ''}</Text>}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {r.charges.length > 0 && (
        <Card withBorder data-testid="rma-charges">
          {r.charges.map((c) => <Text key={c.id} size="sm">{t('rma.charge', { amount: fmtMoney(c.amountMinor, c.currency), rule: c.rule ?? '' })}</Text>)}
        </Card>
      )}
      {r.dispute && <Text size="sm" data-testid="rma-dispute">{t('rma.dispute', { team: inLang(r.dispute.team as { en: string }), rule: String(r.dispute.rule) })}{r.dispute.outcome ? ` — ${t(`rma.disputeOutcome.${String(r.dispute.outcome)}`)}` : ''}</Text>}
      <Actions r={r} />
      {r.files.length > 0 && (
        <Stack gap={2}>
          <Title order={2} size="h4">{t('rma.files')}</Title>
          {r.files.map((f) => <Anchor key={f.id} href={f.url} size="sm">{f.filename} ({t(`rma.fileKind.${f.kind}`, f.kind)})</Anchor>)}
        </Stack>
      )}
      <Title order={2} size="h4">{t('rma.timeline')}</Title>
      <Stack gap={0} data-testid="rma-timeline">
        {r.timeline.map((e, k) => <Text key={k} size="xs">{fmtDateTime(e.at)} · {e.action.replace(/^rma\./, '')}{e.to && e.to !== e.from ? ` → ${t(`rma.state.${e.to}`, e.to)}` : ''}</Text>)}
      </Stack>
    </Stack>
  );
}

// ---------- actions: only those legal now, each with the fields it needs ----------

function Actions({ r }: { r: RmaDetail }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState<Action | null>(null);
  const run = useMutation({
    mutationFn: (body: ActionBody) => ok(api.POST('/api/v1/rmas/{id}/actions', { params: { path: { id: r.id } }, body })),
    onSuccess: async () => {
      setOpen(null);
      await Promise.all([qc.invalidateQueries({ queryKey: ['rmas'] }), qc.invalidateQueries({ queryKey: ['devices'] }), qc.invalidateQueries({ queryKey: ['service-orders'] })]);
    },
  });
  if (!r.allowedActions.length) return null;
  return (
    <Card withBorder data-testid="rma-actions">
      <Group gap="xs" mb={open ? 'sm' : 0}>
        {r.allowedActions.map((a) => (
          <Button key={a} size="xs" variant={open === a ? 'filled' : 'light'} color={a === 'cancel' ? 'red' : undefined} onClick={() => setOpen(open === a ? null : a)} data-action={a}>{t(`rma.action.${a}`)}</Button>
        ))}
      </Group>
      {open && <ActionForm key={open} action={open} r={r} busy={run.isPending} onSubmit={(b) => run.mutate({ ...b, version: r.version } as ActionBody)} />}
      <ErrorNote error={run.error} ns="rma" />
    </Card>
  );
}

function ActionForm({ action, r, busy, onSubmit }: { action: Action; r: RmaDetail; busy: boolean; onSubmit: (b: Record<string, unknown>) => void }) {
  const { t } = useTranslation();
  const [f, setF] = useState<Record<string, string>>({});
  const v = (k: string) => f[k] ?? '';
  const set = (k: string) => (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value });
  const text = (k: string, label: string, required = true) => <TextInput key={k} label={label} required={required} value={v(k)} onChange={set(k)} name={k} />;
  const area = (k: string, label: string) => <Textarea key={k} label={label} required value={v(k)} onChange={set(k)} name={k} autosize minRows={2} />;
  const itemSelect = (k: string, filter: (i: RmaDetail['items'][number]) => boolean) => (
    <Select data-testid={`select-${k}`} key={k} label={t('rma.itemLabel')} required data={r.items.filter(filter).map((i) => ({ value: i.id, label: `${i.position}. ${i.serial}` }))} value={f[k] ?? null} onChange={(x) => setF({ ...f, [k]: x ?? '' })} name={k} />
  );
  const [checked, setChecked] = useState(false);
  let fields: React.ReactNode = null;
  let body: () => Record<string, unknown> = () => ({ action });
  switch (action) {
    case 'remote-diagnosis':
      fields = (
        <>
          <Select data-testid="select-outcome" label={t('rma.outcomeLabel')} required data={['return-needed', 'fixed-remotely', 'not-covered', 'not-a-fault'].map((o) => ({ value: o, label: t(`rma.outcome.${o}`) }))} value={f.outcome ?? null} onChange={(x) => setF({ ...f, outcome: x ?? '' })} name="outcome" />
          {area('note', t('rma.diagnosisNote'))}
          <Checkbox label={t('rma.defectConfirmed')} checked={checked} onChange={(e) => setChecked(e.currentTarget.checked)} name="hardwareDefectConfirmed" />
        </>
      );
      body = () => ({ action, outcome: v('outcome'), note: v('note'), hardwareDefectConfirmed: checked });
      break;
    case 'ship-advance-replacement':
      fields = <>{itemSelect('itemId', (i) => !i.advanceReplacement && !!i.decision?.remedies.some((x) => x.type === 'advance-replacement'))}{text('replacementSerial', t('rma.replacementSerial'))}{text('carrier', t('rma.carrier'), false)}{text('tracking', t('rma.tracking'), false)}</>;
      body = () => ({ action, itemId: v('itemId'), replacementSerial: v('replacementSerial'), ...(v('carrier') ? { carrier: v('carrier') } : {}), ...(v('tracking') ? { tracking: v('tracking') } : {}) });
      break;
    case 'receive':
      fields = (
        <>
          {text('carrier', t('rma.carrier'))}
          {text('tracking', t('rma.tracking'))}
          {r.items.map((i) => <TextInput key={i.id} label={t('rma.receivedSerial', { n: i.position })} required value={v(`unit-${i.id}`)} onChange={set(`unit-${i.id}`)} name={`unit-${i.position}`} />)}
        </>
      );
      body = () => ({ action, carrier: v('carrier'), tracking: v('tracking'), units: r.items.map((i) => ({ itemId: i.id, serial: v(`unit-${i.id}`) })) });
      break;
    case 'inspect':
      fields = (
        <>
          <Text size="xs" c="dark.5">{t('rma.exclusionsHint')}: {r.policy.exclusions ? (r.policy.exclusions as { finding: string }[]).map((e) => e.finding).join(', ') : ''}</Text>
          {r.items.map((i) => <TextInput key={i.id} label={t('rma.findingsOf', { n: i.position, serial: i.serial })} value={v(`find-${i.id}`)} onChange={set(`find-${i.id}`)} name={`findings-${i.position}`} placeholder="drop-damage, liquid-ingress" />)}
        </>
      );
      body = () => ({ action, items: r.items.map((i) => ({ itemId: i.id, findings: v(`find-${i.id}`).split(/[\s,]+/).filter(Boolean) })) });
      break;
    case 'send-to-vendor':
      fields = <>{itemSelect('itemId', (i) => !i.vendorRma && i.decision?.outcome === 'covered')}{text('vendor', t('rma.vendorName'))}{text('reference', t('rma.vendorRef'), false)}</>;
      body = () => ({ action, itemId: v('itemId'), vendor: v('vendor'), ...(v('reference') ? { reference: v('reference') } : {}) });
      break;
    case 'vendor-answer':
      fields = (
        <>
          {itemSelect('itemId', (i) => !!i.vendorRma && !i.vendorRma.answer)}
          <Select data-testid="select-answer" label={t('rma.vendorAnswerLabel')} required data={['accepted', 'refused'].map((o) => ({ value: o, label: t(`rma.vendorAnswer.${o}`) }))} value={f.answer ?? null} onChange={(x) => setF({ ...f, answer: x ?? '' })} name="answer" />
          {area('note', t('rma.note'))}
        </>
      );
      body = () => ({ action, itemId: v('itemId'), answer: v('answer'), note: v('note') });
      break;
    case 'resolve':
      fields = (
        <>
          {r.items.map((i) => (
            <Group key={i.id} align="end" grow>
              <Select data-testid={`select-resolution-${i.position}`} label={`${i.position}. ${i.serial}`} required data={['repair', 'replacement', 'credit', 'not-covered'].map((o) => ({ value: o, label: t(`rma.resolutionOf.${o}`) }))} value={f[`res-${i.id}`] ?? (i.advanceReplacement ? 'replacement' : null)} onChange={(x) => setF({ ...f, [`res-${i.id}`]: x ?? '' })} name={`resolution-${i.position}`} />
              {(f[`res-${i.id}`] === 'replacement' && !i.advanceReplacement) && <TextInput label={t('rma.replacementSerial')} required value={v(`rep-${i.id}`)} onChange={set(`rep-${i.id}`)} name={`replacement-${i.position}`} />}
            </Group>
          ))}
          {text('carrier', t('rma.returnCarrier'), false)}
          {text('tracking', t('rma.tracking'), false)}
        </>
      );
      body = () => ({
        action,
        items: r.items.map((i) => ({ itemId: i.id, resolution: f[`res-${i.id}`] ?? (i.advanceReplacement ? 'replacement' : ''), ...(v(`rep-${i.id}`) ? { replacementSerial: v(`rep-${i.id}`) } : {}) })),
        ...(v('carrier') && v('tracking') ? { shipment: { carrier: v('carrier'), tracking: v('tracking') } } : {}),
      });
      break;
    case 'open-dispute':
      fields = area('reason', t('rma.disputeReason'));
      body = () => ({ action, reason: v('reason') });
      break;
    case 'settle-dispute':
      fields = (
        <>
          <Select data-testid="select-outcome" label={t('rma.disputeOutcomeLabel')} required data={['upheld', 'overturned', 'settled'].map((o) => ({ value: o, label: t(`rma.disputeOutcome.${o}`) }))} value={f.outcome ?? null} onChange={(x) => setF({ ...f, outcome: x ?? '' })} name="outcome" />
          {area('note', t('rma.note'))}
        </>
      );
      body = () => ({ action, outcome: v('outcome'), note: v('note') });
      break;
    case 'cancel':
      fields = area('reason', t('rma.cancelReason'));
      body = () => ({ action, reason: v('reason') });
      break;
    case 'hold-return':
      fields = area('reason', t('rma.holdReason'));
      body = () => ({ action, reason: v('reason') });
      break;
    case 'resume-return':
      fields = <TextInput label={t('rma.resumeNote')} value={v('reason')} onChange={set('reason')} name="reason" />;
      body = () => ({ action, ...(v('reason').trim() ? { reason: v('reason') } : {}) });
      break;
    default:
      break;
  }
  return (
    <Stack component="form" gap="xs" onSubmit={(e: FormEvent) => { e.preventDefault(); onSubmit(body()); }} data-testid={`form-${action}`}>
      {fields}
      <Group><Button type="submit" loading={busy} data-testid="rma-confirm">{t('common.confirm')}</Button></Group>
    </Stack>
  );
}
