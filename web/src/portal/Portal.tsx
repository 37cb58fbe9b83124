// The client portal: the order page (by link, or by the business, order number plus phone or
// e-mail: `/order?org=<business>`) and the warranty request form. Phone-first layout, in the
// client's language (?lang= from the link). A decision on a page found by number and contact needs
// a one-time code sent to that contact; a link says how long it works (issue 15).
import { Alert, Anchor, Badge, Button, Card, Checkbox, Container, Group, Input, List, Modal, Paper, Progress, SimpleGrid, Stack, Table, Text, TextInput, Textarea, Timeline, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idemKey, ok, upload, type Body, type Reply, type Schemas } from '../lib/api';
import { fmtDate, fmtDateTime, fmtMoney, fmtNumber, inLang, lang } from '../lib/i18n';
import { keys, orderPageDocumentsQuery, orderPageQuery } from '../lib/queries';
import { match, query } from '../lib/router';
import { ProofFiles } from '../lib/proofs';
import { ErrorNote, fieldLabel, fieldProblem, LanguageSwitch, Loaded } from '../lib/ui';
import { Account } from './Account';
import { Help } from './Help';

export type OrderPageView = Schemas['OrderPage'];
type Decision = Body<'/api/v1/order-page/{token}/decision'>['decision'];
type DocumentLink = Reply<'/api/v1/order-page/{token}/documents'>['items'][number];
/** The quote as staff gave it (the `quote` action's fields); the schema has an open record here, so each is optional. */
type Quote = Partial<Omit<Extract<Body<'/api/v1/service-orders/{id}/actions'>, { action: 'quote' }>, 'action' | 'version'>>;

export default function Portal({ path }: { path: string }) {
  const { t } = useTranslation();
  let m: Record<string, string> | null;
  let body: React.ReactNode;
  if ((m = match('/order/:token', path))) body = <ByToken token={m.token} />;
  else if ((m = match('/claim/:org', path))) body = <ClaimForm org={m.org} />;
  else if ((m = match('/account/:org', path))) body = <Account org={m.org} />;
  else if ((m = match('/help/:org', path))) body = <Help org={m.org} />;
  else body = <Lookup org={query().get('org') ?? undefined} />;
  return (
    <Container size={560} px="sm" py="md">
      <Group justify="space-between" mb="md">
        <Text fw={800} c="teal.9">Aftercare</Text>
        <LanguageSwitch />
      </Group>
      <main>{body}</main>
      <Text size="xs" c="dark.4" mt="xl" ta="center">{t('portal.footer')}</Text>
    </Container>
  );
}

function ByToken({ token }: { token: string }) {
  const qc = useQueryClient();
  const s = useQuery(orderPageQuery(token));
  const docs = useQuery(orderPageDocumentsQuery(token));
  const decide = (decision: Decision, version: number) => ok(api.POST('/api/v1/order-page/{token}/decision', { params: { path: { token } }, body: { decision, version } }));
  // The decision's answer is the page as it is now; the documents may have changed with it.
  const onChange = (o: OrderPageView) => {
    qc.setQueryData(keys.orderPage(token), o);
    void qc.invalidateQueries({ queryKey: keys.orderPageDocuments(token) });
  };
  if (s.error instanceof ApiError && s.error.problem?.code === 'page-link-expired') return <LinkExpired problem={s.error.problem} />;
  return <Loaded s={s}>{(o) => <OrderView o={o} links={docs.data?.items} decide={decide} onChange={onChange} />}</Loaded>;
}

/** A link that worked until some days after the order closed: say so, and where to go instead. */
function LinkExpired({ problem }: { problem: NonNullable<ApiError['problem']> }) {
  const { t, i18n } = useTranslation();
  const p = problem as { expiredAt?: string; organization?: string };
  return (
    <Alert color="orange" title={t('portal.linkExpiredTitle')} data-testid="link-expired">
      <Text size="sm">{t('portal.linkExpired', { date: fmtDate(p.expiredAt?.slice(0, 10)) })}</Text>
      {p.organization && <Anchor size="sm" href={`/order?org=${encodeURIComponent(p.organization)}&lang=${i18n.language}`}>{t('portal.findByNumber')}</Anchor>}
    </Alert>
  );
}

function Lookup({ org: fixedOrg }: { org?: string }) {
  const { t } = useTranslation();
  const [org, setOrg] = useState(fixedOrg ?? '');
  const [number, setNumber] = useState('');
  const [contact, setContact] = useState('');
  const [order, setOrder] = useState<OrderPageView>();
  const [code, setCode] = useState('');
  // A POST (the contact stays out of URLs and logs), sent on each submit: a mutation, not a cached query.
  const lookup = useMutation({
    mutationFn: (body: Body<'/api/v1/order-page/lookup'>) => ok(api.POST('/api/v1/order-page/lookup', { body })),
    onSuccess: setOrder,
  });
  const { isPending: busy, error } = lookup;
  const who = () => ({ organization: org.trim(), number: number.trim(), contact: contact.trim() });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    lookup.mutate(who());
  };
  const sendCode = useMutation({ mutationFn: () => ok(api.POST('/api/v1/order-page/lookup/code', { body: who() })) });
  const decide = (decision: Decision, version: number) => ok(api.POST('/api/v1/order-page/lookup/decision', { body: { ...who(), code: code.trim(), decision, version } }));
  if (order) {
    const gate = (
      <Stack gap={6} mt="sm" data-testid="code-box">
        <Text size="sm">{t('portal.codeIntro')}</Text>
        <Group gap="xs" align="flex-end">
          <Button variant="outline" size="sm" onClick={() => sendCode.mutate()} loading={sendCode.isPending} data-testid="send-code">{sendCode.data ? t('portal.sendCodeAgain') : t('portal.sendCode')}</Button>
          <TextInput label={t('portal.code')} value={code} onChange={(e) => setCode(e.currentTarget.value.replace(/\D/g, '').slice(0, 6))} inputMode="numeric" autoComplete="one-time-code" w={140} data-testid="code" />
        </Group>
        {sendCode.data && <Text size="sm" c="teal.9" data-testid="code-sent">{t(sendCode.data.sentVia === 'sms' ? 'portal.codeSentSms' : 'portal.codeSentEmail', { time: fmtDateTime(sendCode.data.expiresAt) })}</Text>}
        <ErrorNote error={sendCode.error} />
      </Stack>
    );
    const checkout = (what: Pay) => ok(api.POST('/api/v1/order-page/lookup/checkout', { body: { ...who(), what } }));
    return <OrderView o={order} decide={decide} onChange={setOrder} gate={{ node: gate, ready: /^\d{6}$/.test(code) }} checkout={checkout} />;
  }
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit}>
      <Stack>
        <Title order={1} size="h3">{t('portal.findOrder')}</Title>
        {query().get('paid') === '1' && <Alert color="teal" role="status" data-testid="lookup-paid-back">{t('payments.lookupPaidBack')}</Alert>}
        {!fixedOrg && <TextInput label={t('portal.business')} description={t('portal.businessHint')} required value={org} onChange={(e) => setOrg(e.currentTarget.value)} name="organization" />}
        <TextInput label={t('portal.orderNumber')} placeholder="SO-2026-000042" required value={number} onChange={(e) => setNumber(e.currentTarget.value)} name="number" />
        <TextInput label={t('portal.contact')} required value={contact} onChange={(e) => setContact(e.currentTarget.value)} name="contact" autoComplete="email" />
        {error instanceof ApiError && error.status === 404 ? <Alert color="red" role="alert">{t('portal.noOrder')}</Alert> : error instanceof ApiError && error.status === 429 ? <Alert color="orange" role="alert">{t('portal.tooManyLookups')}</Alert> : <ErrorNote error={error} />}
        <Button type="submit" loading={busy}>{t('portal.show')}</Button>
      </Stack>
    </Paper>
  );
}

const STEPS = ['received', 'diagnosing', 'awaiting-decision', 'in-repair', 'testing', 'ready', 'handed-over'];

/** `gate`: what must be done before deciding (the one-time code on a page found by number and contact). */
type Pay = 'due' | 'deposit';
/** `checkout`: how this page pays online (by its link's token, or by number and contact). */
export function OrderView({ o, links, decide, onChange, gate, checkout }: { o: OrderPageView; links?: DocumentLink[]; decide: (d: Decision, version: number) => Promise<OrderPageView>; onChange: (o: OrderPageView) => void; gate?: { node: ReactNode; ready: boolean }; checkout?: (what: Pay) => Promise<{ url: string }> }) {
  const { t, i18n } = useTranslation();
  const decision = useMutation({ mutationFn: (d: Decision) => decide(d, o.version), onSuccess: onChange });
  const busy = decision.isPending ? decision.variables : undefined;
  const error = decision.error;
  // Issue 16: a decision is confirmed first (the amount and what it means), then the page says what happens next.
  const [confirming, setConfirming] = useState<Decision | null>(null);
  const act = (d: Decision) => decision.mutate(d, { onSettled: () => setConfirming(null) });
  const quote = o.quote as Quote | null;
  const reached = new Set(o.timeline.map((e) => e.state).filter(Boolean));
  const activeIdx = Math.max(0, ...STEPS.map((s, i) => (reached.has(s) || o.state === s ? i : -1)));
  const money = (n: number) => fmtMoney(n, o.due.currency);
  // Pay what is due by Stripe Checkout: the page goes to Stripe and comes back with ?paid=1.
  const token = match('/order/:token', window.location.pathname)?.token;
  const pay = useMutation({
    mutationFn: (what: Pay) => (checkout ? checkout(what) : ok(api.POST('/api/v1/order-page/{token}/checkout', { params: { path: { token: token! } }, body: { what } }))),
    onSuccess: (r) => window.location.assign(r.url),
  });
  const paidBack = query().get('paid') === '1';
  return (
    <Stack data-testid="client-order">
      <div>
        <Text size="sm" c="dark.5">{o.business}</Text>
        <Title order={1} size="h2">{t('portal.order')} {o.number}</Title>
        <Badge size="lg" color="teal.9" data-testid="client-state">{t(`clientState.${o.state}`, t(`state.${o.state}`, o.state))}</Badge>
      </div>
      {o.device && <Text>{o.device.manufacturer} {o.device.model} · {o.device.serial}</Text>}
      {o.situation ? (
        <Text size="sm" fw={600} data-testid="client-situation" data-situation={o.situation.code}>{inLang(o.situation.text)}</Text>
      ) : (
        o.underWarranty !== null && <Text size="sm">{o.underWarranty ? t('portal.underWarranty') : t('portal.notUnderWarranty')}</Text>
      )}
      {quote && quote.amountMinor !== undefined && (
        <Card withBorder data-testid="client-quote">
          <Title order={2} size="h4">{t('portal.quote')}</Title>
          <Text fz="xl" fw={700}>{fmtMoney(quote.amountMinor, quote.currency ?? o.due.currency)}</Text>
          <QuoteLines quote={quote as PricedQuote} currency={o.due.currency} />
          {quote.duration && <Text>{t('portal.duration')}: {quote.duration}</Text>}
          {quote.advice && <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{quote.advice}</Text>}
          {o.decisionWindow && o.canDecide && o.canAccept !== false && <Text size="sm" mt={4}>{t('portal.decideBy', { date: fmtDateTime(o.decisionWindow.due) })}</Text>}
          {o.decisionWindow && o.canDecide && o.canAccept === false && <Text size="sm" mt={4} data-testid="window-ended">{t('portal.windowEnded', { date: fmtDateTime(o.decisionWindow.due), rule: o.decisionWindow.rule })}</Text>}
          {o.canDecide && gate?.node}
          {o.canDecide && (
            <SimpleGrid mt="sm" cols={{ base: 1, xs: o.canAccept === false ? 1 : 2 }} spacing="xs">
              {o.canAccept !== false && <Button onClick={() => setConfirming('accept')} loading={busy === 'accept'} disabled={!!busy || gate?.ready === false} data-testid="accept">{t('portal.accept')}</Button>}
              <Button onClick={() => setConfirming('refuse')} loading={busy === 'refuse'} disabled={!!busy || gate?.ready === false} variant="outline" color="red.9" data-testid="refuse">{t('portal.refuse')}</Button>
            </SimpleGrid>
          )}
          <ConfirmDecision o={o} quote={quote} decision={confirming} busy={!!busy} onConfirm={act} onClose={() => setConfirming(null)} />
          <DecisionOutcome o={o} />
          {error instanceof ApiError && error.problem?.code === 'invalid-code' ? <Alert color="red" role="alert" mt="xs" data-testid="invalid-code">{t('portal.invalidCode')}</Alert> : <ErrorNote error={error} />}
        </Card>
      )}
      {o.rights && o.rights.length > 0 && (
        <Alert color="yellow" title={t('portal.rights')} data-testid="client-rights">
          <List size="sm">{o.rights.map((r) => <List.Item key={r.type}>{r.text} ({r.rule})</List.Item>)}</List>
        </Alert>
      )}
      <Card withBorder data-testid="client-balance">
        <Title order={2} size="h4">{t('portal.balance')}</Title>
        {paidBack && <Alert color="teal" mt="xs" role="status" data-testid="paid-back">{o.due.balanceMinor <= 0 ? t('money.paidConfirmed') : t('money.paidBack')}</Alert>}
        <Table>
          <Table.Tbody>
            {o.due.charges.map((c, i) => <Table.Tr key={i}><Table.Td>{t(`charge.${c.kind}`, c.kind)}</Table.Td><Table.Td ta="right">{fmtMoney(c.amountMinor, c.currency)}</Table.Td></Table.Tr>)}
            <Table.Tr><Table.Td>{t('order.paid')}</Table.Td><Table.Td ta="right">{money(o.due.paidMinor)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Td fw={700}>{t('portal.toPay')}</Table.Td><Table.Td ta="right" fw={700}>{money(o.due.balanceMinor)}</Table.Td></Table.Tr>
          </Table.Tbody>
        </Table>
        {o.deposit && (
          <Alert color="blue" mt="xs" data-testid="deposit">
            <Text size="sm">{t('payments.depositAsked', { percent: fmtNumber(o.deposit.percent), amount: money(o.deposit.amountMinor) })}</Text>
            {o.deposit.dueMinor > 0 && o.deposit.dueMinor < o.deposit.amountMinor && <Text size="sm">{t('payments.depositLeft', { amount: money(o.deposit.dueMinor) })}</Text>}
            {o.deposit.dueMinor > 0 && !o.onlinePayment && <Text size="sm">{t('payments.depositAtCounter')}</Text>}
            {o.deposit.dueMinor > 0 && o.onlinePayment && (
              <Button mt={6} variant="filled" onClick={() => pay.mutate('deposit')} loading={pay.isPending && pay.variables === 'deposit'} data-testid="pay-deposit">{t('payments.payDeposit', { amount: money(o.deposit.dueMinor) })}</Button>
            )}
          </Alert>
        )}
        {o.onlinePayment && o.due.balanceMinor > 0 && (
          <Stack gap={4} mt="xs">
            <Button onClick={() => pay.mutate('due')} loading={pay.isPending && pay.variables === 'due'} variant={o.deposit && o.deposit.dueMinor > 0 ? 'outline' : 'filled'} data-testid="pay-online">{t('money.payOnline', { amount: money(o.due.balanceMinor) })}</Button>
            <Text size="xs" c="dark.5">{t('money.payOnlineHint')}</Text>
            <ErrorNote error={pay.error} />
          </Stack>
        )}
      </Card>
      <Card withBorder>
        <Title order={2} size="h4" mb="sm">{t('portal.progress')}</Title>
        <Timeline active={activeIdx} bulletSize={18} lineWidth={2} color="teal.9">
          {STEPS.map((s) => {
            const at = o.timeline.find((e) => e.state === s)?.at;
            return <Timeline.Item key={s} title={t(`clientState.${s}`, t(`state.${s}`))}>{at && <Text size="xs" c="dark.5">{fmtDateTime(at)}</Text>}</Timeline.Item>;
          })}
        </Timeline>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4">{t('order.documents')}</Title>
        {links?.length ? (
          <List data-testid="client-documents">{links.map((d) => <List.Item key={d.kind}><Anchor href={`${d.url}?lang=${i18n.language}`} target="_blank">{t(`doc.${d.kind}`, d.filename)}</Anchor></List.Item>)}</List>
        ) : o.documents.length === 0 ? <Text c="dark.4" size="sm">{t('portal.noDocuments')}</Text> : (
          // Found by number and contact: each document's short-lived download link (issue 16).
          <>
            <List data-testid="client-documents">{o.documents.map((d) => <List.Item key={d.id}>{d.url ? <Anchor href={`${d.url}?lang=${i18n.language}`} target="_blank">{t(`doc.${d.kind}`, d.filename)}</Anchor> : t(`doc.${d.kind}`, d.filename)}</List.Item>)}</List>
            {o.openedBy === 'lookup' && o.documents.some((d) => d.url) && <Text size="xs" c="dark.5" mt={4}>{t('decision.downloadsFor', { minutes: 15 })}</Text>}
          </>
        )}
        <ProofFiles files={o.proofFiles ?? []} />
      </Card>
      {o.link && (
        <Text size="xs" c="dark.5" data-testid="link-lifetime">
          {o.link.expiresAt ? t('portal.linkUntil', { date: fmtDate(o.link.expiresAt.slice(0, 10)), business: o.business }) : t('portal.linkWhileOpen', { days: o.link.daysAfterClose })}
        </Text>
      )}
    </Stack>
  );
}

/** What happens next if the client refuses: the fees the policy charges then, and where to collect the device. */
function RefusalSteps({ o }: { o: OrderPageView }) {
  const { t } = useTranslation();
  const r = o.nextSteps?.refuse;
  if (!r) return null;
  const p = r.pickup;
  return (
    <>
      {r.fees.length ? r.fees.map((f, i) => <Text size="sm" key={i} data-testid="refusal-fee">{t(`decision.fee.${f.kind}`, { amount: fmtMoney(f.amountMinor, f.currency) })}</Text>) : <Text size="sm">{t('decision.noFee')}</Text>}
      {p ? (
        <Text size="sm" data-testid="pickup">
          {t('decision.collectAt', { place: [p.name, p.address].filter(Boolean).join(', ') })}
          {p.openingHours && <> {t('decision.hours', { hours: p.openingHours })}</>}
          {p.phone && <> {t('decision.phone', { phone: p.phone })}</>}
        </Text>
      ) : (
        <Text size="sm">{t('decision.collectAsk')}</Text>
      )}
    </>
  );
}

/** What happens next if the client accepts: the repair starts, a message follows, the date it is expected by. */
function AcceptSteps({ o }: { o: OrderPageView }) {
  const { t } = useTranslation();
  const by = o.nextSteps?.accept.expectedBy;
  return by ? <Text size="sm" data-testid="expected-by">{t('decision.expectedBy', { date: fmtDate(by) })}</Text> : null;
}

/** The confirmation before a decision: the amount, what the client agrees to, and what follows. (No scroll lock: it injects a <style>, which the CSP refuses.) */
function ConfirmDecision({ o, quote, decision, busy, onConfirm, onClose }: { o: OrderPageView; quote: Quote | null; decision: Decision | null; busy: boolean; onConfirm: (d: Decision) => void; onClose: () => void }) {
  const { t } = useTranslation();
  const amount = fmtMoney(quote?.amountMinor ?? 0, quote?.currency ?? o.due.currency);
  const device = o.device ? [o.device.manufacturer, o.device.model].filter(Boolean).join(' ') : '';
  const accept = decision === 'accept';
  return (
    <Modal opened={!!decision} onClose={onClose} lockScroll={false} closeButtonProps={{ 'aria-label': t('decision.back') }} title={t(accept ? 'decision.confirmAcceptTitle' : 'decision.confirmRefuseTitle')} centered data-testid="confirm-decision">
      <Stack gap="xs">
        <Text fw={700} data-testid="confirm-amount">{amount}</Text>
        {accept ? (
          <>
            <Text size="sm">{device ? t('decision.confirmAccept', { device, amount }) : t('decision.confirmAcceptNoDevice', { amount })}</Text>
            <Text size="sm">{t('decision.acceptThen')}</Text>
            <AcceptSteps o={o} />
          </>
        ) : (
          <>
            <Text size="sm">{t('decision.confirmRefuse', { amount })}</Text>
            <RefusalSteps o={o} />
          </>
        )}
        <Group justify="flex-end" gap="xs" mt="sm" wrap="wrap">
          <Button variant="default" onClick={onClose} disabled={busy} data-testid="confirm-back">{t('decision.back')}</Button>
          <Button color={accept ? undefined : 'red.9'} onClick={() => decision && onConfirm(decision)} loading={busy} data-testid="confirm-yes">{t(accept ? 'decision.yesAccept' : 'decision.yesRefuse')}</Button>
        </Group>
      </Stack>
    </Modal>
  );
}

/** After the decision: what happens next, from the order's state and the business's policy data. */
function DecisionOutcome({ o }: { o: OrderPageView }) {
  const { t } = useTranslation();
  const decided = o.timeline.find((e) => e.state === 'accepted' || e.state === 'refused')?.state;
  if (!o.nextSteps || !decided) return null;
  if (decided === 'accepted' && ['accepted', 'in-repair', 'testing'].includes(o.state)) {
    return (
      <Alert color="teal" mt="sm" role="status" title={t('decision.acceptedTitle')} data-testid="decision-outcome" data-outcome="accepted">
        <Text size="sm">{t('decision.acceptedThen')}</Text>
        <AcceptSteps o={o} />
      </Alert>
    );
  }
  if (decided === 'refused' && o.state === 'refused') {
    return (
      <Alert color="orange" mt="sm" role="status" title={t('decision.refusedTitle')} data-testid="decision-outcome" data-outcome="refused">
        <Text size="sm">{t('decision.refusedThen')}</Text>
        <RefusalSteps o={o} />
      </Alert>
    );
  }
  return null;
}

type PricedQuote = { lines?: { kind: string; description: string; quantity: number; unitMinor: number; amountMinor: number }[]; netMinor?: number; taxMinor?: number; amountMinor?: number; tax?: { name: Record<string, string>; ratePercent: number; pricesInclude: boolean }; currency?: string };

/** The quote's lines as priced (description, quantity, unit price, amount), its tax and total, in the client's language and number format. */
function QuoteLines({ quote, currency }: { quote: PricedQuote; currency: string }) {
  const { t } = useTranslation();
  if (!quote.lines?.length) return null;
  const m = (n: number) => fmtMoney(n, quote.currency ?? currency);
  const taxed = quote.tax && quote.tax.ratePercent > 0 ? quote.tax : undefined;
  const tax = taxed ? inLang(taxed.name as { en: string }) : '';
  const rate = taxed ? fmtNumber(taxed.ratePercent) : '';
  return (
    <Table data-testid="client-quote-lines" mt="xs" fz="sm" verticalSpacing={4} horizontalSpacing={4} aria-label={t('money.quoteLines')}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('money.description')}</Table.Th>
          <Table.Th ta="right">{t('money.quantity')}</Table.Th>
          <Table.Th ta="right">{t('money.unitPrice')}</Table.Th>
          <Table.Th ta="right">{t('money.amount')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {quote.lines.map((l, i) => (
          <Table.Tr key={i} data-testid="client-quote-line">
            <Table.Td>{l.description}<Text span size="xs" c="dark.5" display="block">{t(`billing.lineKind.${l.kind}`, l.kind)}</Text></Table.Td>
            <Table.Td ta="right">{fmtNumber(l.quantity)}</Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>{m(l.unitMinor)}</Table.Td>
            <Table.Td ta="right" style={{ whiteSpace: 'nowrap' }}>{m(l.amountMinor)}</Table.Td>
          </Table.Tr>
        ))}
        {taxed && !taxed.pricesInclude && (
          <>
            <Table.Tr><Table.Td colSpan={3}>{t('money.net', { tax })}</Table.Td><Table.Td ta="right">{m(quote.netMinor ?? 0)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Td colSpan={3}>{t('money.taxAdded', { tax, rate })}</Table.Td><Table.Td ta="right" data-testid="client-quote-tax">{m(quote.taxMinor ?? 0)}</Table.Td></Table.Tr>
          </>
        )}
        <Table.Tr><Table.Td colSpan={3} fw={700}>{t('money.total')}</Table.Td><Table.Td ta="right" fw={700} style={{ whiteSpace: 'nowrap' }} data-testid="client-quote-total">{m(quote.amountMinor ?? 0)}</Table.Td></Table.Tr>
        {taxed && taxed.pricesInclude && (
          <Table.Tr><Table.Td colSpan={3} c="dark.5">{t('money.taxIncluded', { tax, rate })}</Table.Td><Table.Td ta="right" c="dark.5" data-testid="client-quote-tax">{m(quote.taxMinor ?? 0)}</Table.Td></Table.Tr>
        )}
      </Table.Tbody>
    </Table>
  );
}

const PROOFS = ['invoice', 'receipt', 'warrantyCard', 'serviceContract', 'paymentConfirmed'] as const;

/** What the proof upload accepts: the server checks the same types by the file's first bytes. */
const PROOF_TYPES = ['application/pdf', 'image/jpeg', 'image/png', 'image/webp'];

/** The claim once opened: its number, the order page's token, what is still missing (from what was sent). */
type Opened = { number: string; token: string; missing: Schemas['WebClaimReceipt']['missing'] };

/** The words for a refused proof upload, by the server's answer. */
function proofProblem(t: (k: string) => string, e: unknown) {
  if (!(e instanceof ApiError)) return t('claim.proofFailed');
  if (e.status === 415) return t('claim.proofType');
  if (e.status === 413) return t('claim.proofTooLarge');
  if (e.status === 429) return t('claim.proofRateLimited');
  if (e.status === 0) return t('error.network');
  return `${t('claim.proofFailed')} ${e.message}`;
}

/**
 * The warranty request form (ITEMA-27: who, what, when bought, the problem, which proofs), with an
 * optional proof file. The claim is opened first; its answer carries the order page link, through
 * which the file is then uploaded. A failed upload keeps the claim and what was typed: the client
 * picks another file and tries again (the claim is not sent twice), or goes on without it.
 */
function ClaimForm({ org }: { org: string }) {
  const { t, i18n } = useTranslation();
  const [f, setF] = useState({ name: '', email: '', phone: '', address: '', serial: '', manufacturer: '', model: '', purchaseDate: '', purchasePlace: '', problem: '' });
  const [proofs, setProofs] = useState<string[]>([]);
  const [file, setFile] = useState<File | null>(null);
  const [fileError, setFileError] = useState<string>();
  const [progress, setProgress] = useState<number>();
  const [opened, setOpened] = useState<Opened>();
  const [done, setDone] = useState<Opened & { proof?: string }>();
  const key = useRef(idemKey());
  const upd = (k: keyof typeof f) => (e: React.ChangeEvent<HTMLInputElement | HTMLTextAreaElement>) => { const v = e.currentTarget.value; setF((x) => ({ ...x, [k]: v })); };
  const err = (k: string) => {
    const x = error instanceof ApiError ? error.problem?.errors?.find((e) => e.field === `body.${k}`) : undefined;
    return x ? fieldProblem(t, x) : undefined;
  };
  const pick = (e: React.ChangeEvent<HTMLInputElement>) => {
    const chosen = e.currentTarget.files?.[0] ?? null;
    setFile(chosen);
    setFileError(chosen && !PROOF_TYPES.includes(chosen.type) ? t('claim.proofType') : undefined);
  };
  const send = useMutation({
    mutationFn: async () => {
      let claim = opened;
      if (!claim) {
        const opt = (v: string) => v.trim() || undefined;
        const r = await ok(
          api.POST('/api/v1/web-claims/{organization}', {
            params: { path: { organization: org }, header: { 'idempotency-key': key.current } },
            body: { name: f.name, email: f.email, phone: f.phone, address: opt(f.address), language: lang(), serial: f.serial, manufacturer: opt(f.manufacturer), model: opt(f.model), purchaseDate: opt(f.purchaseDate), purchasePlace: opt(f.purchasePlace), problem: f.problem, proofs: Object.fromEntries(PROOFS.map((p) => [p, proofs.includes(p)])) },
          }),
        );
        claim = { number: r.number, token: r.orderPage.token, missing: r.missing };
        setOpened(claim);
      }
      if (!file) return setDone(claim);
      // A refused file is the file's error, not the claim's: the claim stays opened.
      try {
        const form = new FormData();
        form.append('file', file, file.name);
        setProgress(0);
        const p = await upload('/api/v1/order-page/{token}/proofs', { params: { token: claim.token }, body: form, onProgress: setProgress });
        setDone({ ...claim, proof: p.filename });
      } catch (x) {
        setFileError(proofProblem(t, x));
      } finally {
        setProgress(undefined);
      }
    },
  });
  const { isPending: busy, error } = send;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (file && !PROOF_TYPES.includes(file.type)) return setFileError(t('claim.proofType'));
    setFileError(undefined);
    send.mutate();
  };
  if (done)
    return (
      <Alert color="teal" title={t('claim.opened')} data-testid="claim-opened">
        <Text>{t('claim.number')}: <b data-testid="claim-number">{done.number}</b></Text>
        {done.proof && <Text size="sm" mt={4} data-testid="proof-attached">{t('claim.proofAttached')}: {done.proof}</Text>}
        {done.missing.length > 0 && <Text size="sm" mt={4}>{t('claim.stillMissing')}: {done.missing.map((m) => `${fieldLabel(t, m.field)} (${m.rule})`).join(', ')}</Text>}
        <Anchor href={`/order/${done.token}?lang=${i18n.language}`}>{t('claim.follow')}</Anchor>
      </Alert>
    );
  return (
    <Paper withBorder p="md" component="form" onSubmit={submit}>
      <Stack gap="xs">
        <Title order={1} size="h3">{t('claim.title')}</Title>
        <Text size="sm">{t('claim.intro')}</Text>
        <TextInput label={t('claim.name')} required value={f.name} onChange={upd('name')} error={err('name')} autoComplete="name" />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          <TextInput label={t('claim.email')} type="email" required value={f.email} onChange={upd('email')} error={err('email')} autoComplete="email" />
          <TextInput label={t('claim.phone')} type="tel" required value={f.phone} onChange={upd('phone')} error={err('phone')} autoComplete="tel" />
        </SimpleGrid>
        <TextInput label={t('claim.address')} value={f.address} onChange={upd('address')} autoComplete="street-address" />
        <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="xs">
          <TextInput label={t('claim.serial')} required value={f.serial} onChange={upd('serial')} error={err('serial')} />
          <TextInput label={t('claim.manufacturer')} value={f.manufacturer} onChange={upd('manufacturer')} />
          <TextInput label={t('claim.model')} value={f.model} onChange={upd('model')} />
          <TextInput label={t('claim.purchaseDate')} type="date" value={f.purchaseDate} onChange={upd('purchaseDate')} error={err('purchaseDate')} />
        </SimpleGrid>
        <TextInput label={t('claim.purchasePlace')} value={f.purchasePlace} onChange={upd('purchasePlace')} />
        <Textarea label={t('claim.problem')} required autosize minRows={3} value={f.problem} onChange={upd('problem')} error={err('problem')} />
        <Checkbox.Group label={t('claim.proofs')} description={t('claim.proofsHint')} value={proofs} onChange={setProofs}>
          <Stack gap={4} mt={4}>{PROOFS.map((p) => <Checkbox key={p} value={p} label={t(`field.${p}`)} />)}</Stack>
        </Checkbox.Group>
        <Input.Wrapper id="proof-file" label={t('claim.proofFile')} description={t('claim.proofFileHint')} error={fileError}>
          <input id="proof-file" type="file" accept={PROOF_TYPES.join(',')} onChange={pick} disabled={busy} aria-invalid={!!fileError} data-testid="proof-file" style={{ display: 'block', marginTop: 4, maxWidth: '100%' }} />
        </Input.Wrapper>
        {progress !== undefined && (
          <Stack gap={2}>
            <Text size="sm">{t('claim.uploading', { percent: Math.round(progress * 100) })}</Text>
            <Progress value={progress * 100} aria-label={t('claim.proofFile')} data-testid="proof-progress" />
          </Stack>
        )}
        {opened && fileError && (
          <Alert color="orange" role="alert" data-testid="proof-failed">
            <Text size="sm">{t('claim.openedWithoutProof', { number: opened.number })}</Text>
            <Anchor component="button" type="button" size="sm" onClick={() => setDone(opened)}>{t('claim.continueWithoutProof')}</Anchor>
          </Alert>
        )}
        <ErrorNote error={error} />
        <Button type="submit" loading={busy}>{opened ? t('claim.retryProof') : t('claim.submit')}</Button>
        <Anchor size="sm" href={`/api/v1/documents/warranty-request-form.pdf?org=${org}&lang=${i18n.language}`} target="_blank">{t('claim.pdf')}</Anchor>
      </Stack>
    </Paper>
  );
}
