// The money side of a device in the client's account (issue 14): what a warranty claim needs and
// whether it is satisfied (ITS-5, ITS-6), the device's registration (register it with its invoice or
// service contract and pay the fee by Stripe Checkout), and the warranty plans the client can buy
// online (ITS-3, ITS-10). Stripe sends the client back to /account/<business>?...&paid=1.
import { Alert, Badge, Button, Card, FileInput, Group, List, Select, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
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

function Plans({ d }: { d: Device }) {
  const { t } = useTranslation();
  const s = useQuery({ queryKey: ['client', 'plans', d.id], queryFn: () => ok(api.GET('/api/v1/client/devices/{id}/plans', { params: { path: { id: d.id } } })) });
  const buy = useMutation({ mutationFn: (planId: string) => ok(api.POST('/api/v1/client/devices/{id}/plans/checkout', { params: { path: { id: d.id } }, body: { planId } })), onSuccess: (x) => window.location.assign(x.url) });
  const p = s.data;
  if (!p || (!p.offers.length && !p.sales.length)) return null;
  return (
    <div data-testid="client-plans">
      <Title order={3} size="h5">{t('money.plans.title')}</Title>
      {backFromStripe('device', d.id) && <Alert color="teal" my={4} role="status">{p.sales.some((x) => x.state === 'paid') ? t('money.paidConfirmed') : t('money.paidBack')}</Alert>}
      {p.offers.map((o) => (
        <Group key={o.id} justify="space-between" gap="xs" mt={4} wrap="wrap">
          <Text size="sm">{inLang(o.name)} · {t(`money.plans.window.${o.window}`)}</Text>
          {p.onlinePayment && o.priceMinor !== undefined && <Button size="xs" variant="light" onClick={() => buy.mutate(o.id)} loading={buy.isPending && buy.variables === o.id} data-testid="plan-buy">{t('money.plans.buy', { price: fmtMoney(o.priceMinor, o.currency) })}</Button>}
        </Group>
      ))}
      <ErrorNote error={buy.error} />
      {p.sales.length > 0 && (
        <List size="sm" mt={4}>
          {p.sales.map((x) => <List.Item key={x.id}>{planName(p.offers, x.planId)} · {fmtMoney(x.priceMinor, x.currency)} · {t(`money.plans.state.${x.state}`)}{x.paidOn ? ` · ${fmtDate(x.paidOn)}` : ''}</List.Item>)}
        </List>
      )}
    </div>
  );
}

/** A sold plan by its name when the policy still offers it, else by its id. */
function planName(offers: { id: string; name: { en: string; bg?: string; vi?: string } }[], id: string) {
  const o = offers.find((x) => x.id === id);
  return o ? inLang(o.name) : id;
}
