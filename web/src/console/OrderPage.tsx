// The order page for staff: the state, only the actions legal now (the API's `allowedActions`),
// deadlines as countdowns (amber when at risk, red when breached), quote and decision, parts,
// payments and balance, the client's page link, documents, messages and the audit timeline. A claim
// from the public web form is linked here to its customer and device first (issue 15).
import { Alert, Anchor, Badge, Button, Card, Checkbox, CopyButton, Grid, Group, List, Radio, Select, Stack, Table, TagsInput, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Body, type Reply, type Schemas } from '../lib/api';
import { categoryText, fmtDate, fmtDateTime, fmtDuration, fmtMoney, inLang, lang, parseMoney } from '../lib/i18n';
import { findingsQuery, invalidateOrder, linkCandidatesQuery, notificationsQuery, orderDocumentsQuery, orderQuery } from '../lib/queries';
import { linkProps } from '../lib/router';
import { ProofFiles } from '../lib/proofs';
import { ErrorNote, fieldLabel, Loaded, type Loadable } from '../lib/ui';
import { useSession } from './Console';
import { WorkOrderForm, emptyWorkOrder, type WorkOrder } from './WorkOrderForm';
import { MessageClient, PrintLabels, WorkshopCard } from './Workshop';
import { ClaimEditor, ClientCard, DiagnosisFields, diagnosisBody, emptyDiagnosis, type DiagnosisDraft } from './Clients';
import { QuoteLinesEditor, QuoteSummary, RefundForm, RemedyForm, TaxDocuments, emptyLine, isRemedyAction, remedyOpen, toLines, type LineDraft } from './Billing';
import { FromTicket } from './Support';
import { ReceivedAtLine } from './ReceivedAtEdit';
import { PaymentLinks } from './PaymentLinks';

export type OrderDetail = Schemas['ServiceOrderDetail'];
export type Clock = OrderDetail['clocks'][number];
/** An action, as the API names it; which actions are legal now is the server's answer (`allowedActions`). */
type Action = OrderDetail['allowedActions'][number];
type ActionBody = Body<'/api/v1/service-orders/{id}/actions'>;
/**
 * The engine's decision and the client's, as the order stores them. The API schema has these as open
 * records (`{ [key: string]: unknown }`), so this is the part of them the page reads, each field optional.
 */
type Decision = { outcome?: string; covered?: boolean; reasons?: { rule: string; text: Record<string, string> | string }[] };
type ClientDecision = { decision?: string; via?: string };
/** The quote as the `quote` action stored it (the schema has an open record here too). */
type Quote = Partial<Omit<Extract<ActionBody, { action: 'quote' }>, 'action' | 'version'>>;

/** A finding the pack knows (one of its exclusions), with its rule and text in the page's language. */
type Finding = Reply<'/api/v1/organization/findings'>['items'][number];
function useFindings(): Finding[] {
  const s = useQuery(findingsQuery(lang()));
  return s.data?.items ?? [];
}
const findingLabel = (all: Finding[], code: string) => {
  const f = all.find((x) => x.code === code);
  return f ? `${f.text} (${f.rule})` : code;
};

export function OrderPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery(orderQuery(id));
  const findings = useFindings();
  const reload = () => void invalidateOrder(qc);
  return (
    <Loaded s={s}>
      {(o) => (
        <Stack>
          <Group justify="space-between">
            <div>
              <Title order={1} size="h2" data-testid="order-number">{o.number}</Title>
              <Group gap="xs">
                <Badge size="lg" color="dark" data-testid="order-state">{t(`state.${o.state}`, o.state)}</Badge>
                <Text size="sm">{t(`channel.${o.channel}`, o.channel)} · {fmtDate(o.claimDate)}</Text>
                <ReceivedAtLine o={o} onDone={reload} />
                {o.deviceId && <Anchor {...linkProps(`/devices/${o.deviceId}`)} size="sm">{t('order.device')}</Anchor>}
              </Group>
              <FromTicket serviceOrderId={o.id} />
            </div>
          </Group>
          <Grid>
            <Grid.Col span={{ base: 12, lg: 7 }}>
              <Stack>
                {o.awaitingLink && <LinkClaim o={o} onDone={reload} />}
                <Actions o={o} onDone={reload} />
                <Card withBorder>
                  <Title order={2} size="h4">{t('order.problem')}</Title>
                  <Text style={{ whiteSpace: 'pre-wrap' }}>{o.problem}</Text>
                  {o.findings.length > 0 && (
                    <div data-testid="order-findings">
                      <Text mt="xs" fw={700}>{t('order.findings')}:</Text>
                      <List size="sm">{o.findings.map((c) => <List.Item key={c}>{findingLabel(findings, c)}</List.Item>)}</List>
                    </div>
                  )}
                  {o.missing.length > 0 && (
                    <Alert color="yellow" mt="xs" title={t('order.missing')}>
                      {o.missing.map((m) => `${fieldLabel(t, m.field)} (${m.rule})`).join(', ')}
                    </Alert>
                  )}
                  <Decision o={o} />
                </Card>
                <WorkshopCard id={o.id} />
                <ClaimEditor o={o} onDone={reload} />
                <Money o={o} onDone={reload} />
                <Parts o={o} onDone={reload} />
              </Stack>
            </Grid.Col>
            <Grid.Col span={{ base: 12, lg: 5 }}>
              <Stack>
                <ClientCard o={o} />
                <Clocks clocks={o.clocks} />
                <ClientLink o={o} />
                <Card withBorder data-testid="documents">
                  <Title order={2} size="h4">{t('order.documents')}</Title>
                  <OrderDocuments id={o.id} lang={o.language} />
                  <ProofFiles files={o.proofFiles ?? []} />
                  <List>
                    {o.deviceId && <List.Item><Anchor href={`/api/v1/devices/${o.deviceId}/documents/warranty-card.pdf?lang=${o.language}`} target="_blank">{t('doc.warrantyCard')}</Anchor></List.Item>}
                    {o.workOrder && <List.Item><Anchor href={`/api/v1/service-orders/${o.id}/documents/work-order.pdf?lang=${o.language}`} target="_blank" data-testid="print-work-order">{t('doc.workOrder')}</Anchor></List.Item>}
                  </List>
                  <PrintLabels id={o.id} lang={o.language} />
                </Card>
                {o.rights.length > 0 && (
                  <Card withBorder>
                    <Title order={2} size="h4">{t('order.rights')}</Title>
                    <List>{o.rights.map((r, i) => <List.Item key={i}>{r.rule}: {r.text}</List.Item>)}</List>
                  </Card>
                )}
                <Messages id={o.id} />
                <Card withBorder>
                  <Title order={2} size="h4">{t('order.timeline')}</Title>
                  <Table data-testid="audit">
                    <Table.Tbody>
                      {o.timeline.map((e, i) => (
                        <Table.Tr key={i}>
                          <Table.Td>{fmtDateTime(e.at)}</Table.Td>
                          <Table.Td>{t(`action.${e.action.replace(/^service-order\./, '')}`, e.action)}{e.to && e.to !== e.from ? ` → ${t(`state.${e.to}`, e.to)}` : ''}</Table.Td>
                          <Table.Td title={e.by}>{e.by.startsWith('system:') ? t(`actor.${e.byName}`, e.byName) : e.byName} · {t(`channel.${e.channel}`, e.channel)}</Table.Td>
                        </Table.Tr>
                      ))}
                    </Table.Tbody>
                  </Table>
                </Card>
              </Stack>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </Loaded>
  );
}

/** The situation in plain words (paid repair, warranty to be checked at diagnosis, ...); the engine's reasons with their rules below, for staff. */
function Decision({ o }: { o: OrderDetail }) {
  const { t, i18n } = useTranslation();
  const d = o.decision as Decision | null;
  if (!d || !o.situation) return null;
  const reasons = d.reasons ?? [];
  return (
    <div data-testid="decision">
      <Text mt="sm" size="sm" c="dark.6">{o.decisionFinal ? t('order.decisionFinal') : t('order.decisionProvisional')}</Text>
      <Text fw={700} data-testid="situation" data-situation={o.situation.code}>{inLang(o.situation.text)}</Text>
      <details>
        <summary style={{ cursor: 'pointer', fontSize: 14 }}>{t('counter.why')}</summary>
        <List size="sm">
          {reasons.map((r, i) => <List.Item key={i}>{typeof r.text === 'string' ? r.text : (r.text[i18n.language] ?? r.text.en)} ({r.rule})</List.Item>)}
        </List>
      </details>
    </div>
  );
}

/** Turns amber from atRiskFrom and red when the due time has passed; ticks every 30 s. */
export function Countdown({ c }: { c: Clock }) {
  const { t } = useTranslation();
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const i = setInterval(() => setNow(Date.now()), 30_000);
    return () => clearInterval(i);
  }, []);
  if (c.stoppedAt) return <Badge color="gray" variant="light">{t('clock.stopped')}</Badge>;
  // A minimum duration (ITEMA-20) is not a deadline: while it runs ('open') the job may not end yet;
  // once it has passed ('met' while still running) it may.
  const wide = { style: { overflow: 'visible' }, styles: { label: { overflow: 'visible' } } } as const;
  if (c.status === 'met') return <Badge color="teal.9" variant="filled" data-tone="open" {...wide}>{t('clock.open')}</Badge>;
  if (c.status === 'open') return <Badge color="orange.9" variant="filled" data-tone="too-early" {...wide}>{t('clock.tooEarly', { d: fmtDuration(Date.parse(c.due) - now) })}</Badge>;
  // A target (SC-4 "1–2 days on average") is shown to staff; past it is not a breach.
  if (c.status === 'over-target') return <Badge color="yellow.9" variant="filled" data-tone="over-target" title={t('rules.overTargetHint')} {...wide}>{t('rules.overTarget', { d: fmtDuration(Date.parse(c.due) - now) })}</Badge>;
  const paused = c.status === 'paused';
  const left = paused ? c.remainingMs : Date.parse(c.due) - now;
  const tone = left < 0 ? 'red' : now >= Date.parse(c.atRiskFrom) ? 'orange' : 'teal';
  return (
    <Badge color={`${tone}.9`} variant="filled" data-tone={tone} style={{ overflow: 'visible' }} styles={{ label: { overflow: 'visible' } }}>
      {paused ? `${t('clock.paused')} · ` : ''}
      {left < 0 ? t('clock.overdue', { d: fmtDuration(left) }) : t('clock.left', { d: fmtDuration(left) })}
    </Badge>
  );
}

function Clocks({ clocks }: { clocks: Clock[] }) {
  const { t } = useTranslation();
  return (
    <Card withBorder data-testid="clocks">
      <Title order={2} size="h4">{t('order.deadlines')}</Title>
      {clocks.length === 0 && <Text c="dark.4">{t('common.none')}</Text>}
      <Table>
        <Table.Tbody>
          {clocks.map((c) => (
            <Table.Tr key={c.id}>
              {/* The pack's words in the reader's language; how the due time was computed on hover. */}
              <Table.Td title={c.reasons.map((r) => r.text).join('\n')}>{inLang(c.text)} <Text span size="xs" c="dark.4">({c.rule})</Text></Table.Td>
              <Table.Td>{fmtDateTime(c.due)}</Table.Td>
              <Table.Td style={{ whiteSpace: 'nowrap' }}><Countdown c={c} /></Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Card>
  );
}

const HIDDEN: Action[] = ['mark-unclaimed'];

function Actions({ o, onDone }: { o: OrderDetail; onDone: () => void }) {
  const { t } = useTranslation();
  // A remedy beyond repair (issue 12) is offered only when the engine's decision has it open.
  const legal = o.allowedActions.filter((a) => !HIDDEN.includes(a) && (!isRemedyAction(a) || remedyOpen(o, a)));
  const [open, setOpen] = useState<Action | null>(null);
  if (!legal.length) return null;
  return (
    <Card withBorder data-testid="actions">
      <Title order={2} size="h4" mb="xs">{t('order.actions')}</Title>
      <Group gap="xs">
        {legal.map((a) => (
          <Button key={a} variant={open === a ? 'filled' : 'light'} color={a === 'cancel' || a === 'dispose' ? 'red' : undefined} onClick={() => setOpen(open === a ? null : a)} aria-expanded={open === a} data-action={a}>
            {t(isRemedyAction(a) ? `billing.action.${a}` : `action.${a}`)}
          </Button>
        ))}
      </Group>
      {open && isRemedyAction(open) && <RemedyForm key={open} action={open} o={o} onDone={() => { setOpen(null); onDone(); }} />}
      {open && !isRemedyAction(open) && <ActionForm key={open} action={open} o={o} onDone={() => { setOpen(null); onDone(); }} />}
    </Card>
  );
}

type Via = Extract<ActionBody, { action: 'accept' | 'refuse' }>['via'];
/** What the action forms ask, one field each; body() takes what its action sends. */
type ActionFields = { via: Via; worthRepairing: boolean; hardware: boolean; insignificant: boolean; findings: string[]; note: string; amount: string; duration: string; advice: string; works: string; report: string; protocol: string; reason: string };
type InputEvent = { currentTarget: { type: string; value: string; checked?: boolean } };

function ActionForm({ action, o, onDone }: { action: Action; o: OrderDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const findings = useFindings();
  const [f, setF] = useState<ActionFields>({ via: 'in-person', worthRepairing: true, hardware: false, insignificant: false, findings: [], note: '', amount: '', duration: '', advice: '', works: '', report: '', protocol: '', reason: '' });
  const [wo, setWo] = useState<WorkOrder>(emptyWorkOrder(o.problem));
  const [facts, setFacts] = useState<DiagnosisDraft>(emptyDiagnosis);
  const [lines, setLines] = useState<LineDraft[]>([emptyLine('part'), emptyLine('labour')]);
  // Read the value now: React clears an event's currentTarget once the handler returns.
  const set = <K extends keyof ActionFields>(k: K) => (v: ActionFields[K] | InputEvent | null) => {
    const value = v !== null && typeof v === 'object' && 'currentTarget' in v ? (v.currentTarget.type === 'checkbox' ? v.currentTarget.checked : v.currentTarget.value) : v;
    if (value !== null) setF((x) => ({ ...x, [k]: value }));
  };
  const body = (): ActionBody => {
    const version = o.version;
    switch (action) {
      case 'open': return { action, version, workOrder: wo };
      case 'diagnose': return { action, version, findings: f.findings, hardwareDefectConfirmed: f.hardware, ...(f.insignificant ? { insignificant: true } : {}), ...diagnosisBody(facts), note: f.note || undefined };
      case 'quote': return { action, version, lines: toLines(lines, o.currency), duration: f.duration, advice: f.advice, worthRepairing: f.worthRepairing };
      case 'accept': case 'refuse': return { action, version, via: f.via, note: f.note || undefined };
      case 'start-repair': return { action, version, works: f.works.split('\n').map((s) => s.trim()).filter(Boolean) };
      case 'test-passed': case 'test-failed': return { action, version, report: f.report };
      case 'hand-over': return { action, version, findingsProtocol: f.protocol || undefined };
      case 'dispose': return { action, version, note: f.note || undefined };
      case 'cancel': return { action, version, reason: f.reason };
      // The actions with nothing to say but the version (authorize, start-diagnosis, approve-warranty, ...).
      default: return { action, version } as ActionBody;
    }
  };
  const run = useMutation({
    mutationFn: (b: ActionBody) => ok(api.POST('/api/v1/service-orders/{id}/actions', { params: { path: { id: o.id } }, body: b })),
    onSuccess: onDone,
    // On a refusal what was typed stays in the form (the error shows under it).
  });
  const { isPending: busy, error } = run;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate(body());
  };
  return (
    <form onSubmit={submit} aria-label={t(`action.${action}`)} style={{ marginTop: 12 }}>
      <Stack gap="xs">
        {action === 'open' && <WorkOrderForm value={wo} onChange={setWo} />}
        {action === 'diagnose' && (
          <>
            <TagsInput
              label={t('form.findings')}
              description={t('form.findingsHint')}
              data={findings.map((x) => ({ value: x.code, label: `${x.text} (${x.rule})` }))}
              value={f.findings}
              onChange={set('findings')}
              splitChars={[',', ' ']}
              clearable
              data-testid="findings-input"
            />
            <Checkbox label={t('form.hardwareDefect')} checked={f.hardware} onChange={set('hardware')} />
            {/* What the business's policy asks the diagnosis to record (dead pixels, country, part, an insignificant fault). */}
            <DiagnosisFields orderId={o.id} value={facts} onChange={setFacts} insignificant={f.insignificant} onInsignificant={(v) => setF((x) => ({ ...x, insignificant: v }))} />
            <Textarea label={t('form.note')} value={f.note} onChange={set('note')} />
          </>
        )}
        {action === 'quote' && (
          <>
            <QuoteLinesEditor value={lines} onChange={setLines} currency={o.currency} />
            <TextInput label={t('form.duration')} required value={f.duration} onChange={set('duration')} />
            <Textarea label={t('form.advice')} value={f.advice} onChange={set('advice')} />
            <Checkbox label={t('form.worthRepairing')} checked={f.worthRepairing} onChange={set('worthRepairing')} />
          </>
        )}
        {(action === 'accept' || action === 'refuse') && (
          <>
            <Select label={t('form.via')} data={['in-person', 'phone', 'email', 'order-page'].map((v) => ({ value: v, label: t(`channel.${v}`) }))} value={f.via} onChange={(v) => v && setF((x) => ({ ...x, via: v as Via }))} allowDeselect={false} />
            <TextInput label={t('form.note')} value={f.note} onChange={set('note')} />
          </>
        )}
        {action === 'start-repair' && <Textarea label={t('form.works')} description={t('form.worksHint')} value={f.works} onChange={set('works')} />}
        {(action === 'test-passed' || action === 'test-failed') && <Textarea label={t('form.testReport')} required value={f.report} onChange={set('report')} />}
        {action === 'hand-over' && (
          <>
            {o.balance.due > 0 && <Alert color="yellow">{t('order.balanceFirst', { due: fmtMoney(o.balance.due, o.balance.currency) })}</Alert>}
            <Textarea label={t('form.findingsProtocol')} value={f.protocol} onChange={set('protocol')} />
          </>
        )}
        {action === 'dispose' && <TextInput label={t('form.note')} value={f.note} onChange={set('note')} />}
        {action === 'cancel' && <TextInput label={t('form.reason')} required value={f.reason} onChange={set('reason')} />}
        <ErrorNote error={error} />
        <Group>
          <Button type="submit" loading={busy} data-testid="confirm-action">{t('common.confirm')}: {t(`action.${action}`)}</Button>
        </Group>
      </Stack>
    </form>
  );
}

function Money({ o, onDone }: { o: OrderDetail; onDone: () => void }) {
  const { t } = useTranslation();
  // Payments and refunds are the front desk's or a manager's (issue 16, roles): a technician sees the balance only.
  const office = useSession().me.user.role !== 'technician';
  const [amount, setAmount] = useState('');
  const [method, setMethod] = useState<Body<'/api/v1/service-orders/{id}/payments'>['method']>('cash');
  const [refunding, setRefunding] = useState<string | null>(null);
  // A refund Stripe did not make is tried again as a new refund: a new form, so a new Idempotency-Key.
  const [retrying, setRetrying] = useState<string | null>(null);
  // A deposit before the work is done (issue 14); a payment after it, at most the balance.
  const depositAllowed = ['claimed', 'received', 'diagnosing', 'warranty-approved', 'awaiting-decision', 'accepted', 'in-repair', 'testing'].includes(o.state);
  const [deposit, setDeposit] = useState(false);
  const payment = useMutation({
    mutationFn: (body: Body<'/api/v1/service-orders/{id}/payments'>) => ok(api.POST('/api/v1/service-orders/{id}/payments', { params: { path: { id: o.id } }, body })),
    onSuccess: () => {
      setAmount('');
      onDone();
    },
  });
  const { isPending: busy, error } = payment;
  const pay = (e: FormEvent) => {
    e.preventDefault();
    payment.mutate({ amountMinor: parseMoney(amount, o.currency), method, ...(deposit || o.balance.due <= 0 ? { kind: 'deposit' as const } : {}), version: o.version });
  };
  const m = (n: number) => fmtMoney(n, o.balance.currency);
  const quote = o.quote as Quote | null;
  const decided = o.clientDecision as ClientDecision | null;
  return (
    <Card withBorder data-testid="money">
      <Title order={2} size="h4">{t('order.money')}</Title>
      {quote && (
        <Text data-testid="quote">
          {t('order.quote')}: <b>{fmtMoney(quote.amountMinor ?? 0, quote.currency ?? o.currency)}</b> · {quote.duration}
          {decided ? ` · ${t(`decision.${decided.decision}`, decided.decision ?? '')} (${t(`channel.${decided.via}`, decided.via ?? '')})` : ''}
        </Text>
      )}
      {quote && <QuoteSummary quote={quote as Parameters<typeof QuoteSummary>[0]['quote']} currency={o.currency} />}
      <Table>
        <Table.Tbody>
          {o.charges.map((c) => (
            <Table.Tr key={c.id}><Table.Td>{t(`charge.${c.kind}`, { defaultValue: t(`billing.charge.${c.kind}`, c.kind) })}{c.rule ? ` (${c.rule})` : ''}</Table.Td><Table.Td ta="right">{fmtMoney(c.amountMinor, c.currency)}</Table.Td></Table.Tr>
          ))}
          {o.payments.map((p) => (
            <Table.Tr key={p.id}>
              <Table.Td>
                {p.kind === 'deposit' ? t('billing.deposit') : t('order.paid')} · {t(`method.${p.method}`, { defaultValue: t(`billing.method.${p.method}`, p.method) })} · {fmtDateTime(p.receivedAt)}
                {p.refundedMinor > 0 && <Text span size="sm" c="orange.8"> · {t('billing.refunded', { amount: fmtMoney(p.refundedMinor, p.currency) })}</Text>}
                {office && p.amountMinor > p.refundedMinor && (
                  <Button size="compact-xs" variant="subtle" color="orange" ml="xs" onClick={() => setRefunding(refunding === p.id ? null : p.id)} data-testid="refund-payment">{t('billing.refund')}</Button>
                )}
                {refunding === p.id && <RefundForm o={o} p={p} onDone={() => { setRefunding(null); onDone(); }} />}
              </Table.Td>
              <Table.Td ta="right">−{fmtMoney(p.amountMinor, p.currency)}</Table.Td>
            </Table.Tr>
          ))}
          {o.refunds.filter((r) => r.kind !== 'remedy').map((r) => (
            <Table.Tr key={r.id} data-testid={`refund-${r.status}`}>
              <Table.Td>
                {t('billing.refunds')} · {r.reason}
                {r.status === 'pending' && <Text span size="sm" c="dark.4"> · {t('payments.refundPending')}</Text>}
                {r.status === 'failed' && (
                  <>
                    <Text size="sm" c="red.8" fw={600} data-testid="refund-failed">{t('payments.refundFailed', { reason: t(`payments.failure.${r.failureReason ?? 'unknown'}`, { defaultValue: r.failureReason ?? '' }) })}</Text>
                    {office && r.paymentId && (
                      <Button size="compact-xs" variant="light" color="orange" onClick={() => setRetrying(retrying === r.id ? null : r.id)} data-testid="retry-refund">{t('payments.tryAgain')}</Button>
                    )}
                    {retrying === r.id && o.payments.find((p) => p.id === r.paymentId) && (
                      <RefundForm o={o} p={o.payments.find((p) => p.id === r.paymentId)!} retry={{ amountMinor: r.amountMinor, reason: r.reason, kind: r.kind === 'overpayment' ? 'overpayment' : 'credit' }} onDone={() => { setRetrying(null); onDone(); }} />
                    )}
                  </>
                )}
              </Table.Td>
              <Table.Td ta="right" td={r.status === 'failed' ? 'line-through' : undefined}>+{fmtMoney(r.amountMinor, r.currency)}</Table.Td>
            </Table.Tr>
          ))}
          <Table.Tr><Table.Td fw={700}>{t('order.balance')}</Table.Td><Table.Td ta="right" fw={700} data-testid="balance">{m(o.balance.due)}</Table.Td></Table.Tr>
        </Table.Tbody>
      </Table>
      {office && (o.balance.due > 0 || depositAllowed) && !['handed-over', 'returned', 'disposed', 'cancelled', 'settled'].includes(o.state) && (
        <form onSubmit={pay} aria-label={t('order.takePayment')}>
          <Group align="flex-end" mt="xs">
            <TextInput label={`${t('form.amount')} (${o.currency})`} required inputMode="decimal" value={amount} onChange={(e) => setAmount(e.currentTarget.value)} placeholder={o.balance.due > 0 ? fmtMoney(o.balance.due, o.currency) : undefined} />
            <Select label={t('form.method')} data={['cash', 'card-terminal', 'bank-transfer'].map((v) => ({ value: v, label: t(`method.${v}`, { defaultValue: t(`billing.method.${v}`) }) }))} value={method} onChange={(v) => v && setMethod(v as typeof method)} allowDeselect={false} w={170} />
            <Button type="submit" loading={busy}>{t('order.takePayment')}</Button>
          </Group>
          {depositAllowed && <Checkbox mt={6} label={t('billing.deposit')} checked={deposit || o.balance.due <= 0} disabled={o.balance.due <= 0} onChange={(e) => setDeposit(e.currentTarget.checked)} data-testid="deposit" />}
          <ErrorNote error={error} />
        </form>
      )}
      <PaymentLinks orderId={o.id} version={o.version} office={office} onDone={onDone} />
      <TaxDocuments id={o.id} lang={o.language} version={o.version} />
    </Card>
  );
}

function Parts({ o, onDone }: { o: OrderDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const [f, setF] = useState({ partId: '', replacesPartId: '', category: '', term: '' });
  const part = useMutation({
    mutationFn: (body: Body<'/api/v1/service-orders/{id}/parts'>) => ok(api.POST('/api/v1/service-orders/{id}/parts', { params: { path: { id: o.id } }, body })),
    onSuccess: () => {
      setF({ partId: '', replacesPartId: '', category: '', term: '' });
      onDone();
    },
  });
  const error = part.error;
  const can = ['in-repair', 'diagnosing', 'accepted', 'warranty-approved', 'testing'].includes(o.state);
  if (!can && o.parts.length === 0) return null;
  const add = (e: FormEvent) => {
    e.preventDefault();
    part.mutate({ partId: f.partId, category: f.category, replacesPartId: f.replacesPartId || undefined, term: f.term || undefined, version: o.version });
  };
  const field = (k: keyof typeof f, label: string, required = false) => <TextInput label={label} required={required} value={f[k]} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, [k]: v })); }} w={150} />;
  return (
    <Card withBorder>
      <Title order={2} size="h4">{t('order.parts')}</Title>
      <List>{o.parts.map((p) => <List.Item key={p.id}>{p.partId} ({categoryText(p.category, o.categoryNames?.[p.category])}){p.replacesPartId ? ` ← ${p.replacesPartId}` : ''}{p.underWarranty ? ` · ${t('order.underWarranty')}` : ''}</List.Item>)}</List>
      {can && (
        <form onSubmit={add} aria-label={t('order.addPart')}>
          <Group align="flex-end">
            {field('partId', t('form.partId'), true)}
            {field('category', t('form.category'), true)}
            {field('replacesPartId', t('form.replaces'))}
            {field('term', t('form.term'))}
            <Button type="submit" variant="light">{t('order.addPart')}</Button>
          </Group>
          <ErrorNote error={error} />
        </form>
      )}
    </Card>
  );
}

function ClientLink({ o }: { o: OrderDetail }) {
  const { t } = useTranslation();
  const newLink = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/service-orders/{id}/page-links', { params: { path: { id: o.id } }, headers: { 'idempotency-key': idemKey() } })),
  });
  const link = newLink.data && `${location.origin}/order/${newLink.data.token}?lang=${o.language}`;
  const error = newLink.error;
  const make = () => newLink.mutate();
  // Links work while the order is open and a while after it closes; a new link renews the page.
  const lifetime = newLink.data?.expiresAt
    ? t('order.newLinkUntil', { date: fmtDateTime(newLink.data.expiresAt) })
    : o.pageLinks.expiresAt
      ? t(Date.parse(o.pageLinks.expiresAt) < Date.now() ? 'order.linksExpired' : 'order.linksExpire', { date: fmtDateTime(o.pageLinks.expiresAt) })
      : t('order.linksWhileOpen', { days: o.pageLinks.daysAfterClose });
  return (
    <Card withBorder>
      <Title order={2} size="h4">{t('order.clientPage')}</Title>
      {link ? (
        <Group gap="xs">
          <Anchor href={link} target="_blank" data-testid="client-link" style={{ wordBreak: 'break-all' }}>{link}</Anchor>
          <CopyButton value={link}>{({ copied, copy }) => <Button size="xs" variant="default" onClick={copy}>{copied ? t('common.copied') : t('common.copy')}</Button>}</CopyButton>
        </Group>
      ) : (
        <Button variant="default" onClick={make} data-testid="make-link">{t('order.newLink')}</Button>
      )}
      <Text size="xs" c="dark.5" mt={6} data-testid="link-lifetime">{lifetime}</Text>
      <ErrorNote error={error} />
    </Card>
  );
}

/** What the public form sent, by field, as the client typed it. */
const SENT_FIELDS = ['name', 'email', 'phone', 'address', 'serial', 'manufacturer', 'model', 'purchaseDate', 'purchasePlace'] as const;

/**
 * A claim from the public web form matched to nothing yet (issue 15): what the client sent, the
 * customers and devices it may be about (by its e-mail, phone and serial), and the staff's choice.
 */
function LinkClaim({ o, onDone }: { o: OrderDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const sent = (o.submitted ?? {}) as Partial<Record<(typeof SENT_FIELDS)[number], string>>;
  const cands = useQuery(linkCandidatesQuery(o.id));
  const [customer, setCustomer] = useState<string>('new');
  const [device, setDevice] = useState<string>('none');
  const [dev, setDev] = useState({ manufacturer: sent.manufacturer ?? '', category: '' });
  // The first candidate device of the chosen customer, or the one with the serial sent, is the likely one.
  useEffect(() => {
    const c = cands.data;
    if (!c) return;
    if (c.customers.length === 1) setCustomer(c.customers[0].id);
    const bySerial = c.devices.find((d) => d.serial.toLowerCase() === (sent.serial ?? '').toLowerCase());
    if (bySerial) setDevice(bySerial.id);
    else if (sent.serial) setDevice('new');
    // Once, when the candidates arrive (the sent serial does not change).
  }, [cands.data]);
  const link = useMutation({
    mutationFn: (body: Body<'/api/v1/service-orders/{id}/link'>) => ok(api.POST('/api/v1/service-orders/{id}/link', { params: { path: { id: o.id } }, body })),
    onSuccess: onDone,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    link.mutate({
      version: o.version,
      ...(customer !== 'new' ? { customerId: customer } : {}),
      ...(device === 'new' ? { device: { manufacturer: dev.manufacturer, category: dev.category, model: sent.model ?? null } } : device !== 'none' ? { deviceId: device } : {}),
    });
  };
  return (
    <Card withBorder data-testid="link-claim" style={{ borderColor: 'var(--mantine-color-orange-7)', borderWidth: 2 }}>
      <form onSubmit={submit} aria-label={t('link.title')}>
        <Stack gap="xs">
          <Title order={2} size="h4">{t('link.title')}</Title>
          <Text size="sm">{t('link.intro')}</Text>
          <Table data-testid="sent">
            <Table.Tbody>
              {SENT_FIELDS.filter((k) => sent[k]).map((k) => (
                <Table.Tr key={k}><Table.Td c="dark.5" w="40%">{t(`claim.${k}`)}</Table.Td><Table.Td style={{ wordBreak: 'break-word' }}>{sent[k]}</Table.Td></Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
          <Loaded s={cands}>
            {(c) => (
              <>
                <Radio.Group label={t('link.customer')} value={customer} onChange={setCustomer}>
                  <Stack gap={4} mt={4}>
                    {c.customers.map((x) => <Radio key={x.id} value={x.id} label={[x.name, x.phone, x.email].filter(Boolean).join(' · ')} />)}
                    <Radio value="new" label={t('link.newCustomer', { name: sent.name ?? '' })} />
                  </Stack>
                </Radio.Group>
                <Radio.Group label={t('link.device')} value={device} onChange={setDevice}>
                  <Stack gap={4} mt={4}>
                    {c.devices.map((x) => <Radio key={x.id} value={x.id} label={`${x.manufacturer} ${x.model ?? ''} · ${x.serial}`} />)}
                    {/* A serial already on record is linked, never registered twice. */}
                    {sent.serial && !c.devices.some((x) => x.serial.toLowerCase() === sent.serial!.toLowerCase()) && <Radio value="new" label={t('link.newDevice', { serial: sent.serial })} />}
                    <Radio value="none" label={t('link.noDevice')} />
                  </Stack>
                </Radio.Group>
                {device === 'new' && (
                  <Group grow>
                    <TextInput label={t('claim.manufacturer')} required value={dev.manufacturer} onChange={(e) => { const v = e.currentTarget.value; setDev((x) => ({ ...x, manufacturer: v })); }} />
                    <TextInput label={t('claim.category')} required value={dev.category} onChange={(e) => { const v = e.currentTarget.value; setDev((x) => ({ ...x, category: v })); }} placeholder="laptop" />
                  </Group>
                )}
              </>
            )}
          </Loaded>
          <ErrorNote error={link.error} />
          <Group>
            <Button type="submit" loading={link.isPending} data-testid="link-submit">{t('link.submit')}</Button>
          </Group>
        </Stack>
      </form>
    </Card>
  );
}

function Messages({ id }: { id: string }) {
  const { t } = useTranslation();
  const { me } = useSession();
  // Technicians may not read messages (the API says 403): they see none.
  const technician = me.user.role === 'technician';
  // Up to date without reloading (issue 16): a message queued, sent or failed shows within seconds.
  const q = useQuery({ ...notificationsQuery({ orderId: id, limit: 50 }), enabled: !technician, refetchInterval: 4000 });
  const s: Loadable<Reply<'/api/v1/notifications'>> = technician ? { data: { items: [], nextCursor: null }, error: null, refetch: () => undefined } : q;
  return (
    <Card withBorder>
      <Title order={2} size="h4">{t('order.messages')}</Title>
      <Loaded s={s}>
        {(d) => d.items.length === 0 ? <Text c="dark.4">{t('common.none')}</Text> : (
          <List spacing={4}>
            {d.items.map((n) => <List.Item key={n.id}>{fmtDateTime(n.createdAt)} · {n.channel} → {n.recipient ?? '—'} · <Badge size="xs" variant="light">{n.status}</Badge><br />{n.subject ?? n.body.slice(0, 120)}</List.Item>)}
          </List>
        )}
      </Loaded>
      {!technician && <MessageClient id={id} />}
    </Card>
  );
}

/** The order's PDFs (issue 5) as its state allows: work order, quote, completion certificate, receipt. */
function OrderDocuments({ id, lang }: { id: string; lang: string }) {
  const { t } = useTranslation();
  // Which documents exist follows the order's state: every change to the order invalidates this too.
  const s = useQuery(orderDocumentsQuery(id));
  if (!s.data) return s.error ? <ErrorNote error={s.error} /> : null;
  // The device's warranty card is linked beside this list already (as of today); the handover-day
  // copy is the client's (their order page lists it).
  return (
    <List>
      {s.data.items.filter((d) => d.kind !== 'warranty-card').map((d) => (
        <List.Item key={d.kind}>
          <Anchor href={`${d.url}${d.url.includes('?') ? '&' : '?'}lang=${lang}`} target="_blank">{t(`doc.${d.kind}`, d.filename)}</Anchor>
        </List.Item>
      ))}
    </List>
  );
}
