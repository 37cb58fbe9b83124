// The money side of a device in the client's account (issue 14): what a warranty claim needs and
// whether it is satisfied (ITS-5, ITS-6), the device's registration (register it with its invoice or
// service contract and pay the fee by Stripe Checkout), and the warranty plans the client can buy
// online (ITS-3, ITS-10). Stripe sends the client back to /account/<business>?...&paid=1.
import { Alert, Badge, Button, Card, FileInput, Group, List, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ok, upload, type Reply, type Schemas } from '../lib/api';
import { fmtDate, fmtMoney, inLang } from '../lib/i18n';
import { query } from '../lib/router';
import { ErrorNote } from '../lib/ui';

type Device = Schemas['ClientAccount']['devices'][number];
type Registrations = Reply<'/api/v1/client/registrations'>;
type Registration = Schemas['Registration'];

export const clientRegistrationsQuery = () => ({ queryKey: ['client', 'registrations'], queryFn: () => ok(api.GET('/api/v1/client/registrations')) });

/** Back from Stripe: `?paid=1` with the registration or the device it was for. */
function backFromStripe(what: 'registration' | 'device', id: string) {
  const q = query();
  return q.get('paid') === '1' && q.get(what) === id;
}

export function DeviceMoney({ d, regs }: { d: Device; regs?: Registrations }) {
  const { t } = useTranslation();
  const mine = regs?.items.filter((r) => r.device.id === d.id) ?? [];
  const current = mine.find((r) => r.state === 'pending' || r.state === 'paid') ?? mine[0];
  const canRegister = !!regs?.terms && !mine.some((r) => r.state === 'pending' || r.state === 'paid');
  return (
    <Stack gap="xs" mt="sm">
      {d.warranty.requirements.length > 0 && (
        <div data-testid="client-requirements">
          <Title order={3} size="h5">{t('money.reg.requirements')}</Title>
          <List size="sm" spacing={2}>
            {d.warranty.requirements.map((r, i) => (
              <List.Item key={i} data-rule={r.rule} data-satisfied={r.satisfied}>
                {inLang(r.text)} ({r.rule}): <b>{r.satisfied ? t('money.reg.satisfied') : t('money.reg.missing')}</b>
              </List.Item>
            ))}
          </List>
        </div>
      )}
      {current && <RegistrationState r={current} online={!!regs?.onlinePayment} />}
      {canRegister && regs?.terms && <RegisterForm d={d} terms={regs.terms} online={regs.onlinePayment} />}
      <Plans d={d} />
    </Stack>
  );
}

function RegistrationState({ r, online }: { r: Registration; online: boolean }) {
  const { t } = useTranslation();
  const fee = fmtMoney(r.feeMinor, r.currency);
  const pay = useMutation({ mutationFn: () => ok(api.POST('/api/v1/client/registrations/{id}/checkout', { params: { path: { id: r.id } } })), onSuccess: (x) => window.location.assign(x.url) });
  return (
    <Card withBorder p="xs" data-testid="client-registration" data-state={r.state}>
      <Group justify="space-between" gap="xs">
        <Text size="sm" fw={600}>{t('money.reg.number', { number: r.number })}</Text>
        <Badge color={r.state === 'paid' ? 'teal' : r.state === 'pending' ? 'orange' : 'gray'} variant="light">{t(`money.reg.state.${r.state}`)}</Badge>
      </Group>
      {backFromStripe('registration', r.id) && <Alert color="teal" mt={4} role="status" data-testid="registration-paid-back">{r.state === 'paid' ? t('money.paidConfirmed') : t('money.paidBack')}</Alert>}
      {r.state === 'refused' && r.refusalReason && <Text size="sm">{t('money.reg.refusedBecause', { reason: r.refusalReason })}</Text>}
      {r.state === 'pending' && (online ? (
        <Stack gap={2} mt={4}>
          <Button size="sm" onClick={() => pay.mutate()} loading={pay.isPending} data-testid="registration-pay">{t('money.reg.payNow', { fee })}</Button>
          <ErrorNote error={pay.error} />
        </Stack>
      ) : <Text size="sm" c="dark.5">{t('money.reg.payAtCounter')}</Text>)}
    </Card>
  );
}

function RegisterForm({ d, terms, online }: { d: Device; terms: NonNullable<Registrations['terms']>; online: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ serviceEvent: terms.serviceEvents[0] ?? 'installation', serviceDate: '', documentType: terms.documents[0]?.type ?? 'invoice' });
  const [file, setFile] = useState<File | null>(null);
  const fee = fmtMoney(terms.feeMinor, terms.currency);
  const run = useMutation({
    mutationFn: async () => {
      const reg = await ok(api.POST('/api/v1/client/registrations', { body: { serial: d.serial, ...f } }));
      const form = new FormData();
      form.append('file', file!);
      await upload('/api/v1/client/registrations/{id}/document', { params: { id: reg.id }, body: form });
      if (!online) return null;
      return ok(api.POST('/api/v1/client/registrations/{id}/checkout', { params: { path: { id: reg.id } } }));
    },
    onSuccess: (x) => (x ? window.location.assign(x.url) : void qc.invalidateQueries({ queryKey: ['client'] })),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    run.mutate();
  };
  if (!open) return <Button variant="light" onClick={() => setOpen(true)} data-testid="register-device">{t('money.reg.title')}</Button>;
  return (
    <Card withBorder p="sm" component="form" onSubmit={submit} data-testid="register-form">
      <Stack gap="xs">
        <Title order={3} size="h5">{t('money.reg.title')}</Title>
        <Text size="sm">{t('money.reg.intro', { fee, rule: terms.rule })}</Text>
        <Select label={t('money.reg.serviceEvent')} data={terms.serviceEvents.map((v) => ({ value: v, label: t(`money.reg.event.${v}`, v) }))} value={f.serviceEvent} onChange={(v) => v && setF((x) => ({ ...x, serviceEvent: v }))} allowDeselect={false} />
        <TextInput label={t('money.reg.serviceDate')} type="date" required value={f.serviceDate} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, serviceDate: v })); }} data-testid="registration-date" />
        <Select label={t('money.reg.documentType')} data={terms.documents.map((x) => ({ value: x.type, label: t(`money.reg.doc.${x.type}`, x.type) }))} value={f.documentType} onChange={(v) => v && setF((x) => ({ ...x, documentType: v }))} allowDeselect={false} />
        <FileInput label={t('money.reg.file')} required accept="application/pdf,image/png,image/jpeg,image/webp" value={file} onChange={setFile} data-testid="registration-file" />
        <ErrorNote error={run.error} />
        <Button type="submit" loading={run.isPending} data-testid="registration-submit">{online ? t('money.reg.submit', { fee }) : t('money.reg.submitNoOnline')}</Button>
      </Stack>
    </Card>
  );
}

/**
 * The plans the client can buy for the device now (ITS-3; after expiry ITS-10; ITEMA-29), with the
 * coverage end they move and the rule that set it. Back from Stripe (`?device=<id>&paid=1`) the
 * latest online sale says where the payment stands: pending until Stripe's webhook confirms it (the
 * list is read again every few seconds meanwhile), then paid, with the new end.
 */
function Plans({ d }: { d: Device }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const back = backFromStripe('device', d.id);
  const [since] = useState(() => Date.now());
  const s = useQuery({
    queryKey: ['client', 'plans', d.id],
    queryFn: () => ok(api.GET('/api/v1/client/devices/{id}/plans', { params: { path: { id: d.id } } })),
    // Waiting for the webhook: read again every 3 s, for at most 10 minutes.
    refetchInterval: (q) => (back && q.state.data?.sales.find((x) => x.channel === 'portal')?.state === 'pending' && Date.now() - since < 600_000 ? 3000 : false),
  });
  const buy = useMutation({ mutationFn: (planId: string) => ok(api.POST('/api/v1/client/devices/{id}/plans/checkout', { params: { path: { id: d.id } }, body: { planId } })), onSuccess: (x) => window.location.assign(x.url) });
  const p = s.data;
  const latest = p?.sales.find((x) => x.channel === 'portal');
  const confirmed = back && latest?.state === 'paid';
  // Once confirmed, the device's warranty above is read again (the end moved, the reasons cite the plan).
  useEffect(() => {
    if (confirmed) void qc.invalidateQueries({ queryKey: ['client', 'account'] });
  }, [confirmed, qc]);
  if (!p || (!p.offers.length && !p.sales.length)) return null;
  const end = p.coverage.end ? fmtDate(p.coverage.end) : null;
  return (
    <div data-testid="client-plans">
      <Title order={3} size="h5">{t('money.plans.title')}</Title>
      <Text size="sm" data-testid="client-plans-end" data-end={p.coverage.end ?? ''} data-rule={p.coverage.rule ?? ''}>
        {end ? t('planOnline.end', { date: end, rule: p.coverage.rule }) : t('planOnline.noEnd')}
      </Text>
      {back && <BackFromStripe sale={latest} end={end} rule={p.coverage.rule} />}
      {p.offers.map((o) => (
        <Card key={o.id} withBorder p="xs" mt={6} data-plan={o.id} data-window={o.window}>
          <Text size="sm" fw={600}>{inLang(o.name)}</Text>
          <Text size="xs" c="dark.5">{t(`planOnline.window.${o.window}`)} ({o.rule})</Text>
          {p.onlinePayment && o.priceMinor !== undefined ? (
            <Button size="sm" mt={6} fullWidth variant="light" onClick={() => buy.mutate(o.id)} loading={buy.isPending && buy.variables === o.id} disabled={buy.isPending && buy.variables !== o.id} data-testid="plan-buy">{t('money.plans.buy', { price: fmtMoney(o.priceMinor, o.currency) })}</Button>
          ) : o.priceMinor !== undefined && <Text size="sm" mt={4}>{t('planOnline.atCounter', { price: fmtMoney(o.priceMinor, o.currency) })}</Text>}
        </Card>
      ))}
      {p.offers.length > 0 && p.onlinePayment && <Text size="xs" c="dark.5" mt={4}>{t('planOnline.how')}</Text>}
      <ErrorNote error={buy.error} />
      {p.sales.length > 0 && (
        <>
          <Text size="sm" fw={600} mt="xs">{t('money.plans.sold')}</Text>
          <List size="sm" data-testid="client-plan-sales">
            {p.sales.map((x) => <List.Item key={x.id} data-state={x.state} data-plan={x.planId}>{inLang(x.name)} · {fmtMoney(x.priceMinor, x.currency)} · {t(`money.plans.state.${x.state}`)}{x.paidOn ? ` · ${fmtDate(x.paidOn)}` : ''}{x.rule ? ` (${x.rule})` : ''}</List.Item>)}
          </List>
        </>
      )}
    </div>
  );
}

type Sale = Reply<'/api/v1/client/devices/{id}/plans'>['sales'][number];

/** The page Stripe sends the client back to: the payment pending (the webhook not here yet), or confirmed with the new end. */
function BackFromStripe({ sale, end, rule }: { sale?: Sale; end: string | null; rule: string | null }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDivElement>(null);
  // On a phone the device may be far down the account: show the answer.
  useEffect(() => {
    ref.current?.scrollIntoView({ block: 'center' });
  }, []);
  const state = sale?.state === 'paid' ? 'paid' : sale?.state === 'pending' ? 'pending' : 'other';
  const plan = sale ? inLang(sale.name) : '';
  return (
    <Alert ref={ref} color={state === 'paid' ? 'teal' : state === 'pending' ? 'yellow' : 'gray'} my={6} role="status" data-testid="plan-payment" data-state={state} title={state === 'paid' ? t('planOnline.paidTitle') : state === 'pending' ? t('planOnline.pendingTitle') : undefined}>
      {state === 'paid' ? t('planOnline.paid', { plan, date: end ?? '—', rule }) : state === 'pending' ? t('planOnline.pending', { plan }) : t('money.paidBack')}
    </Alert>
  );
}
