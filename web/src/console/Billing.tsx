// The money side of an order in the console (issue 14, issue 12): the quote's lines editor, the quote
// as priced (lines, tax, total), refunds of a payment, the order's tax documents, and the remedies
// beyond repair the engine offers. Amounts are typed the local way (12,50 in Bulgarian and
// Vietnamese, 12.50 in English: parseMoney) and always shown formatted (fmtMoney), never in minor units.
import { ActionIcon, Anchor, Button, Group, List, NumberInput, Select, Stack, Table, Text, TextInput, Textarea } from '@mantine/core';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Body } from '../lib/api';
import { amountText, fmtDateTime, fmtMoney, fmtNumber, inLang, parseMoney } from '../lib/i18n';
import { ErrorNote } from '../lib/ui';
import type { OrderDetail } from './OrderPage';

type ActionBody = Body<'/api/v1/service-orders/{id}/actions'>;
type QuoteBody = Extract<ActionBody, { action: 'quote' }>;
export type QuoteLine = NonNullable<QuoteBody['lines']>[number];
type LineKind = QuoteLine['kind'];
const KINDS: LineKind[] = ['part', 'labour', 'fee', 'discount', 'other'];

/** A line as typed: the price as text in the reader's format. */
export type LineDraft = { kind: LineKind; description: string; quantity: number; unit: string };
export const emptyLine = (kind: LineKind = 'labour'): LineDraft => ({ kind, description: '', quantity: 1, unit: '' });

/** The drafts as the API takes them (a discount typed as a positive amount is sent negative). */
export function toLines(drafts: LineDraft[], currency: string): QuoteLine[] {
  return drafts.map((d) => {
    const minor = parseMoney(d.unit, currency);
    return { kind: d.kind, description: d.description, quantity: d.quantity, unitMinor: d.kind === 'discount' ? -Math.abs(minor) : minor };
  });
}

export function QuoteLinesEditor({ value, onChange, currency }: { value: LineDraft[]; onChange: (v: LineDraft[]) => void; currency: string }) {
  const { t } = useTranslation();
  const set = (i: number, patch: Partial<LineDraft>) => onChange(value.map((l, j) => (j === i ? { ...l, ...patch } : l)));
  const lines = toLines(value, currency);
  const sum = lines.reduce((s, l) => s + (Number.isFinite(l.unitMinor) ? Math.round(l.unitMinor * (l.quantity ?? 1)) : 0), 0);
  return (
    <Stack gap={6} data-testid="quote-lines">
      <Text fw={600} size="sm">{t('billing.lines')}</Text>
      {value.map((l, i) => (
        <Group key={i} gap={6} align="flex-end" wrap="wrap" data-testid="quote-line">
          <Select label={t('billing.kind')} data={KINDS.map((k) => ({ value: k, label: t(`billing.lineKind.${k}`) }))} value={l.kind} onChange={(v) => v && set(i, { kind: v as LineKind })} allowDeselect={false} w={130} />
          <TextInput label={t('billing.description')} required value={l.description} onChange={(e) => set(i, { description: e.currentTarget.value })} style={{ flex: '1 1 180px' }} />
          <NumberInput label={t('billing.quantity')} min={0.001} step={0.5} decimalScale={3} value={l.quantity} onChange={(v) => set(i, { quantity: typeof v === 'number' ? v : Number(v) || 1 })} w={80} />
          <TextInput label={t('billing.unitPrice', { currency })} required inputMode="decimal" value={l.unit} onChange={(e) => set(i, { unit: e.currentTarget.value })} w={130} error={l.unit && !Number.isFinite(parseMoney(l.unit, currency)) ? t('billing.amountInvalid', { example: fmtNumber(89.9) }) : undefined} />
          <ActionIcon variant="subtle" color="red" aria-label={t('billing.removeLine')} onClick={() => onChange(value.filter((_, j) => j !== i))} disabled={value.length === 1} mb={4}>✕</ActionIcon>
        </Group>
      ))}
      <Group justify="space-between">
        <Button variant="light" size="xs" onClick={() => onChange([...value, emptyLine()])}>{t('billing.addLine')}</Button>
        <Text size="sm" data-testid="quote-lines-total">{t('billing.subtotal')}: <b>{fmtMoney(sum, currency)}</b></Text>
      </Group>
    </Stack>
  );
}

type PricedQuote = { lines?: { kind: string; description: string; quantity: number; unitMinor: number; amountMinor: number }[]; netMinor?: number; taxMinor?: number; amountMinor?: number; tax?: { name: Record<string, string>; ratePercent: number; pricesInclude: boolean }; currency?: string };

/** The quote as priced by the server: its lines, the tax and the total. */
export function QuoteSummary({ quote, currency }: { quote: PricedQuote; currency: string }) {
  const { t } = useTranslation();
  if (!quote.lines?.length) return null;
  const m = (n: number) => fmtMoney(n, quote.currency ?? currency);
  const tax = quote.tax ? inLang(quote.tax.name as { en: string }) : '';
  return (
    <Table data-testid="quote-summary" mt={4}>
      <Table.Tbody>
        {quote.lines.map((l, i) => (
          <Table.Tr key={i}>
            <Table.Td>{t(`billing.lineKind.${l.kind}`, l.kind)}: {l.description}</Table.Td>
            <Table.Td ta="right">{l.quantity !== 1 ? `${fmtNumber(l.quantity)} × ${m(l.unitMinor)}` : ''}</Table.Td>
            <Table.Td ta="right">{m(l.amountMinor)}</Table.Td>
          </Table.Tr>
        ))}
        {quote.tax && quote.tax.ratePercent > 0 && (
          <>
            <Table.Tr><Table.Td colSpan={2}>{t('billing.net', { tax })}</Table.Td><Table.Td ta="right">{m(quote.netMinor ?? 0)}</Table.Td></Table.Tr>
            <Table.Tr><Table.Td colSpan={2}>{t('billing.tax', { tax, rate: fmtNumber(quote.tax.ratePercent) })}</Table.Td><Table.Td ta="right">{m(quote.taxMinor ?? 0)}</Table.Td></Table.Tr>
          </>
        )}
        <Table.Tr><Table.Td colSpan={2} fw={700}>{t('billing.total')}</Table.Td><Table.Td ta="right" fw={700} data-testid="quote-total">{m(quote.amountMinor ?? 0)}</Table.Td></Table.Tr>
      </Table.Tbody>
    </Table>
  );
}

type Payment = OrderDetail['payments'][number];
type RefundBody = Body<'/api/v1/service-orders/{id}/refunds'>;

/** Give back (part of) one payment: of what was charged (a credit note) or of an overpayment. */
export function RefundForm({ o, p, onDone, retry }: { o: OrderDetail; p: Payment; onDone: () => void; retry?: { amountMinor: number; reason: string; kind: NonNullable<RefundBody['kind']> } }) {
  const { t } = useTranslation();
  const [amount, setAmount] = useState(retry ? amountText(retry.amountMinor, o.currency) : '');
  const [reason, setReason] = useState(retry?.reason ?? '');
  const [kind, setKind] = useState<NonNullable<RefundBody['kind']>>(retry?.kind ?? (o.balance.due < 0 ? 'overpayment' : 'credit'));
  // One key per form: pressing twice sends one refund; a new attempt (a new form) is a new refund.
  const [key] = useState(idemKey);
  const run = useMutation({
    mutationFn: (body: RefundBody) => ok(api.POST('/api/v1/service-orders/{id}/refunds', { params: { path: { id: o.id }, header: { 'idempotency-key': key } }, body })),
    onSuccess: onDone,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate({ paymentId: p.id, amountMinor: parseMoney(amount, o.currency), kind, reason });
  };
  return (
    <form onSubmit={submit} aria-label={t('billing.refund')} data-testid="refund-form">
      <Stack gap={6} mt={6}>
        <Text size="sm">{retry ? t('payments.retryOf', { amount: fmtMoney(retry.amountMinor, p.currency) }) : t('billing.refundOf', { amount: fmtMoney(p.amountMinor, p.currency) })}</Text>
        <Group align="flex-end" gap={6} wrap="wrap">
          <TextInput label={`${t('form.amount')} (${o.currency})`} required inputMode="decimal" value={amount} onChange={(e) => setAmount(e.currentTarget.value)} w={140} />
          <Select label={t('billing.kind')} data={(['credit', 'overpayment'] as const).map((k) => ({ value: k, label: t(`billing.refundKind.${k}`) }))} value={kind} onChange={(v) => v && setKind(v as typeof kind)} allowDeselect={false} w={260} />
        </Group>
        <TextInput label={t('billing.reason')} required value={reason} onChange={(e) => setReason(e.currentTarget.value)} />
        <ErrorNote error={run.error} />
        <Group><Button type="submit" loading={run.isPending} color="orange" data-testid="confirm-refund">{t('billing.refund')}</Button></Group>
      </Stack>
    </form>
  );
}

/** The order's invoices, receipts and credit notes, each with its PDF in the chosen language. */
export function TaxDocuments({ id, lang, version }: { id: string; lang: string; version: number }) {
  const { t } = useTranslation();
  const s = useQuery({ queryKey: ['service-order', id, 'tax-documents', version], queryFn: () => ok(api.GET('/api/v1/service-orders/{id}/tax-documents', { params: { path: { id } } })) });
  if (!s.data?.items.length) return null;
  return (
    <Stack gap={2} data-testid="tax-documents">
      <Text fw={600} size="sm">{t('billing.documents')}</Text>
      <List>
        {s.data.items.map((d) => (
          <List.Item key={d.id}>
            <Anchor href={`${d.pdf}?lang=${lang}`} target="_blank">{t(`billing.docKind.${d.kind}`)} {d.number}</Anchor> · {fmtMoney(d.totalMinor, d.currency)} · {fmtDateTime(d.issuedAt)}
          </List.Item>
        ))}
      </List>
    </Stack>
  );
}

export const REMEDY_ACTIONS = ['replace', 'reduce-price', 'terminate', 'buy-back', 'refund'] as const;
type RemedyAction = (typeof REMEDY_ACTIONS)[number];
const REMEDY_TYPES: Record<RemedyAction, string[]> = { replace: ['replacement', 'replacement-other-model'], 'reduce-price': ['price-reduction'], terminate: ['terminate'], 'buy-back': ['buy-back'], refund: ['refund'] };

type OpenRemedy = { type: string; rule: string; chosenBy?: string };
/** The remedies the engine offers now: the decision's, and the rights that arose since (ITEMA-18/31, ITEMA-32). */
export function openRemedies(o: OrderDetail): OpenRemedy[] {
  const d = (o.decision ?? {}) as { remedies?: OpenRemedy[] };
  return [...(d.remedies ?? []), ...o.rights.map((r) => ({ type: r.type, rule: r.rule, chosenBy: 'consumer' }))];
}
export const isRemedyAction = (a: string): a is RemedyAction => (REMEDY_ACTIONS as readonly string[]).includes(a);
/** A remedy action is shown only when the engine offers one of its remedies. */
export const remedyOpen = (o: OrderDetail, a: RemedyAction) => openRemedies(o).some((r) => REMEDY_TYPES[a].includes(r.type));

const VIA = ['in-person', 'phone', 'email', 'order-page'] as const;
const METHODS = ['cash', 'card-terminal', 'bank-transfer'] as const;

export function RemedyForm({ action, o, onDone }: { action: RemedyAction; o: OrderDetail; onDone: () => void }) {
  const { t } = useTranslation();
  const open = openRemedies(o).filter((r) => REMEDY_TYPES[action].includes(r.type));
  const [type, setType] = useState(open[0]?.type ?? REMEDY_TYPES[action][0]);
  const [f, setF] = useState({ serial: '', model: '', surcharge: '', amount: '', method: 'bank-transfer' as (typeof METHODS)[number], via: 'in-person' as (typeof VIA)[number], note: '' });
  const chosen = open.find((r) => r.type === type);
  const consumer = chosen?.chosenBy === 'consumer';
  const run = useMutation({ mutationFn: (b: ActionBody) => ok(api.POST('/api/v1/service-orders/{id}/actions', { params: { path: { id: o.id } }, body: b })), onSuccess: onDone });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const via = consumer ? { via: f.via } : {};
    const body =
      action === 'replace'
        ? { action, version: o.version, type: type as 'replacement' | 'replacement-other-model', replacement: { serial: f.serial, ...(f.model ? { model: f.model } : {}) }, ...(type === 'replacement-other-model' && f.surcharge ? { surchargeMinor: parseMoney(f.surcharge, o.currency) } : {}), ...via, note: f.note || undefined }
        : { action, version: o.version, amountMinor: parseMoney(f.amount, o.currency), method: f.method, ...via, note: f.note || undefined };
    run.mutate(body as ActionBody);
  };
  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => {
    const v = e.currentTarget.value;
    setF((x) => ({ ...x, [k]: v }));
  };
  return (
    <form onSubmit={submit} aria-label={t(`billing.action.${action}`)} style={{ marginTop: 12 }} data-testid="remedy-form">
      <Stack gap="xs">
        {chosen && <Text size="sm" c="dark.4">{t('billing.remedyHint', { rule: chosen.rule })}</Text>}
        {action === 'replace' && (
          <>
            <Select label={t('billing.kind')} data={REMEDY_TYPES.replace.filter((x) => open.some((r) => r.type === x)).map((x) => ({ value: x, label: t(`billing.remedyType.${x}`) }))} value={type} onChange={(v) => v && setType(v)} allowDeselect={false} />
            <TextInput label={t('billing.replacementSerial')} required value={f.serial} onChange={set('serial')} />
            <TextInput label={t('billing.replacementModel')} value={f.model} onChange={set('model')} />
            {type === 'replacement-other-model' && <TextInput label={t('billing.surcharge', { currency: o.currency })} inputMode="decimal" value={f.surcharge} onChange={set('surcharge')} />}
          </>
        )}
        {action !== 'replace' && (
          <Group align="flex-end" gap={6} wrap="wrap">
            <TextInput label={t('billing.payout', { currency: o.currency })} required inputMode="decimal" value={f.amount} onChange={set('amount')} w={180} />
            <Select label={t('billing.payoutMethod')} data={METHODS.map((m) => ({ value: m, label: t(`method.${m}`, { defaultValue: t(`billing.method.${m}`) }) }))} value={f.method} onChange={(v) => v && setF((x) => ({ ...x, method: v as typeof f.method }))} allowDeselect={false} w={180} />
          </Group>
        )}
        {consumer && <Select label={t('billing.consumerVia')} data={VIA.map((v) => ({ value: v, label: t(`channel.${v}`) }))} value={f.via} onChange={(v) => v && setF((x) => ({ ...x, via: v as typeof f.via }))} allowDeselect={false} />}
        <Textarea label={t('form.note')} value={f.note} onChange={set('note')} />
        <ErrorNote error={run.error} />
        <Group><Button type="submit" loading={run.isPending} data-testid="confirm-action">{t('common.confirm')}: {t(`billing.action.${action}`)}</Button></Group>
      </Stack>
    </form>
  );
}
