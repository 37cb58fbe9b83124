// Issue 16, the client at the counter: who the client of an order is (call and mail links), the
// customer page (every device and order, merging a duplicate), intake's "this client is already on
// record", completing a claim after intake (details, proofs, a proof file by kind), the diagnosis
// fields the business's policy asks for, sales and a device's history corrected by voiding.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, List, NumberInput, Select, SimpleGrid, Stack, Table, Text, TextInput, Title } from '@mantine/core';
import { queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, upload, type Body, type Schemas } from '../lib/api';
import { categoryText, fmtDate } from '../lib/i18n';
import { customerQuery, deviceQuery, eventsQuery, invalidateOrder } from '../lib/queries';
import { linkProps } from '../lib/router';
import { ErrorNote, Loaded } from '../lib/ui';

type Customer = Schemas['Customer'];
type Device = Schemas['Device'];
type DeviceEvent = Schemas['DeviceEvent'];
/** The part of an order these cards read. */
type OrderLike = { id: string; state: string; customerId: string | null; deviceId: string | null; version: number; details: Record<string, string>; proofs: Record<string, boolean>; missing: { field: string; rule: string }[] };

const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];
const DETAILS = ['name', 'address', 'email', 'phone', 'model', 'serial', 'purchaseDate', 'purchasePlace'] as const;
const PROOFS = ['invoice', 'receipt', 'warrantyCard', 'serviceContract'] as const;
type ProofKind = (typeof PROOFS)[number];

/** A phone number as a tel: link (digits and a leading +). */
export const telHref = (phone: string) => `tel:${phone.replace(/[^\d+]/g, '')}`;

const overviewQuery = (id: string) =>
  queryOptions({ queryKey: ['customers', 'overview', id] as const, queryFn: ({ signal }) => ok(api.GET('/api/v1/customers/{id}/overview', { params: { path: { id } }, signal })) });
const matchesQuery = (q: { email?: string; phone?: string; name?: string }) =>
  queryOptions({ queryKey: ['customers', 'matches', q] as const, queryFn: ({ signal }) => ok(api.GET('/api/v1/customers/matches', { params: { query: q }, signal })) });
const diagnosisFormQuery = (id: string) =>
  queryOptions({ queryKey: ['service-orders', 'diagnosis-form', id] as const, queryFn: ({ signal }) => ok(api.GET('/api/v1/service-orders/{id}/diagnosis-form', { params: { path: { id } }, signal })) });

/** Name, phone, e-mail and address with call and mail links. */
function Contact({ c }: { c: Customer }) {
  const { t } = useTranslation();
  return (
    <Stack gap={2}>
      <Anchor {...linkProps(`/customers/${c.id}`)} fw={700} data-testid="client-name">{c.name}</Anchor>
      {c.phone && <Text size="sm">{t('field.phone')}: <Anchor href={telHref(c.phone)} data-testid="client-phone">{c.phone}</Anchor></Text>}
      {c.email && <Text size="sm" style={{ wordBreak: 'break-all' }}>{t('field.email')}: <Anchor href={`mailto:${c.email}`} data-testid="client-email">{c.email}</Anchor></Text>}
      {c.address ? <Text size="sm" data-testid="client-address">{t('field.address')}: {c.address}</Text> : <Text size="sm" c="red.9">{t('clients.noAddress')}</Text>}
    </Stack>
  );
}

/** The client of an order and the device it is about, on the order page. */
export function ClientCard({ o }: { o: OrderLike }) {
  const { t } = useTranslation();
  const customer = useQuery({ ...customerQuery(o.customerId ?? ''), enabled: !!o.customerId });
  const device = useQuery({ ...deviceQuery(o.deviceId ?? ''), enabled: !!o.deviceId });
  return (
    <Card withBorder data-testid="order-client">
      <Title order={2} size="h4" mb={4}>{t('clients.client')}</Title>
      {o.customerId ? customer.data ? <Contact c={customer.data} /> : <ErrorNote error={customer.error} /> : <Text c="dark.5">{t('clients.notLinked')}</Text>}
      <Title order={3} size="h5" mt="sm">{t('field.device')}</Title>
      {o.deviceId && device.data ? (
        <Text size="sm" data-testid="client-device">
          <Anchor {...linkProps(`/devices/${device.data.id}`)}>{[device.data.manufacturer, device.data.model].filter(Boolean).join(' ')}</Anchor> · {t('field.serial')}: <b>{device.data.serial}</b>
        </Text>
      ) : (
        <Text size="sm" c="dark.5">{t('clients.noDevice')}</Text>
      )}
    </Card>
  );
}

/**
 * Completing the claim after intake: the details the policy asks for (the missing ones marked) and
 * the proofs; a proof file uploaded as a named proof counts as given. The server re-runs the decision.
 */
export function ClaimEditor({ o, onDone }: { o: OrderLike; onDone: () => void }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const missing = new Set(o.missing.map((m) => m.field));
  const ruleOf = (field: string) => o.missing.find((m) => m.field === field || m.field.split('|').some((x) => x === field))?.rule;
  const [details, setDetails] = useState<Record<string, string>>(() => Object.fromEntries(DETAILS.map((k) => [k, o.details[k] ?? ''])));
  const [proofs, setProofs] = useState<Record<string, boolean>>(() => Object.fromEntries(PROOFS.map((k) => [k, o.proofs[k] === true])));
  const [file, setFile] = useState<File | null>(null);
  const [kind, setKind] = useState<ProofKind>('invoice');
  const save = useMutation({
    mutationFn: () => {
      const changedDetails = Object.fromEntries(DETAILS.filter((k) => (o.details[k] ?? '') !== details[k].trim()).map((k) => [k, details[k].trim() || null]));
      const changedProofs = Object.fromEntries(PROOFS.filter((k) => (o.proofs[k] === true) !== proofs[k]).map((k) => [k, proofs[k] ? true : null]));
      const body: Body<'/api/v1/service-orders/{id}/claim', 'patch'> = { version: o.version, ...(Object.keys(changedDetails).length ? { details: changedDetails } : {}), ...(Object.keys(changedProofs).length ? { proofs: changedProofs } : {}) };
      return ok(api.PATCH('/api/v1/service-orders/{id}/claim', { params: { path: { id: o.id } }, body }));
    },
    onSuccess: () => {
      setOpen(false);
      onDone();
    },
  });
  const send = useMutation({
    mutationFn: () => {
      const form = new FormData();
      form.append('file', file!);
      return upload('/api/v1/service-orders/{id}/proofs', { params: { id: o.id }, query: { proof: kind }, body: form });
    },
    onSuccess: () => {
      setFile(null);
      onDone();
    },
  });
  if (CLOSED.includes(o.state)) return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const sendFile = (e: FormEvent) => {
    e.preventDefault();
    if (file) send.mutate();
  };
  return (
    <Card withBorder data-testid="complete-claim">
      <Group justify="space-between">
        <Title order={2} size="h4">{t('clients.claim.title')}</Title>
        <Button variant={open ? 'filled' : 'light'} size="xs" onClick={() => setOpen(!open)} aria-expanded={open} data-testid="complete-claim-open">{t('clients.claim.edit')}</Button>
      </Group>
      {!open && o.missing.length > 0 && <Text size="sm" c="red.9" mt={4}>{t('clients.claim.hint')}</Text>}
      {open && (
        <form onSubmit={submit} aria-label={t('clients.claim.title')}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
            {DETAILS.map((k) => (
              <TextInput
                key={k}
                label={t(`field.${k}`)}
                type={k === 'purchaseDate' ? 'date' : k === 'email' ? 'email' : k === 'phone' ? 'tel' : 'text'}
                value={details[k]}
                onChange={(e) => { const v = e.currentTarget.value; setDetails((d) => ({ ...d, [k]: v })); }}
                description={missing.has(`details.${k}`) ? t('clients.claim.missing', { rule: ruleOf(`details.${k}`) }) : undefined}
                styles={missing.has(`details.${k}`) ? { description: { color: 'var(--mantine-color-red-9)' } } : undefined}
                name={`detail-${k}`}
              />
            ))}
          </SimpleGrid>
          <Text fw={600} size="sm" mt="sm">{t('claim.proofs')}</Text>
          <Group gap="md" mt={4}>
            {PROOFS.map((k) => <Checkbox key={k} label={t(`field.${k}`)} checked={proofs[k]} onChange={(e) => { const v = e.currentTarget.checked; setProofs((p) => ({ ...p, [k]: v })); }} name={`proof-${k}`} />)}
          </Group>
          <ErrorNote error={save.error} />
          <Button type="submit" mt="sm" loading={save.isPending} data-testid="complete-claim-save">{t('clients.claim.save')}</Button>
        </form>
      )}
      <form onSubmit={sendFile} aria-label={t('clients.claim.upload')}>
        <Group align="flex-end" mt="sm" gap="xs">
          <Select label={t('clients.claim.proofKind')} data={PROOFS.map((k) => ({ value: k, label: t(`field.${k}`) }))} value={kind} onChange={(v) => v && setKind(v as ProofKind)} allowDeselect={false} w={190} data-testid="proof-kind" />
          <label style={{ display: 'flex', flexDirection: 'column', fontSize: 14 }}>
            {t('clients.claim.file')}
            <input type="file" accept="application/pdf,image/png,image/jpeg,image/webp" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} data-testid="proof-file" style={{ maxWidth: 220 }} />
          </label>
          <Button type="submit" variant="light" disabled={!file} loading={send.isPending} data-testid="proof-upload">{t('clients.claim.upload')}</Button>
        </Group>
        <ErrorNote error={send.error} />
      </form>
    </Card>
  );
}

/** What the diagnosis records for the rules, as the form holds it. */
export type DiagnosisDraft = { deadPixels: Record<string, number | ''>; country: string; partId: string };
export const emptyDiagnosis = (): DiagnosisDraft => ({ deadPixels: {}, country: '', partId: '' });
/** The diagnose action's part of the body (nothing for what was not filled in). */
export function diagnosisBody(d: DiagnosisDraft) {
  const pixels = Object.fromEntries(Object.entries(d.deadPixels).filter(([, v]) => v !== '' && v !== undefined)) as Record<string, number>;
  return { ...(Object.keys(pixels).length ? { deadPixels: pixels } : {}), ...(d.country.trim() ? { country: d.country.trim() } : {}), ...(d.partId ? { partId: d.partId } : {}) };
}

/**
 * The diagnose form's fields the business's policy asks for (GET diagnosis-form): dead pixels by
 * type where it judges them (ITEMA-16), the country of use where it applies in one country (ITEMA-5),
 * the part the claim is about, and "insignificant" where it grants termination (ITEMA-32).
 */
export function DiagnosisFields({ orderId, value, onChange, insignificant, onInsignificant }: { orderId: string; value: DiagnosisDraft; onChange: (d: DiagnosisDraft) => void; insignificant: boolean; onInsignificant: (v: boolean) => void }) {
  const { t } = useTranslation();
  const s = useQuery(diagnosisFormQuery(orderId));
  const f = s.data;
  if (!f) return <ErrorNote error={s.error} />;
  return (
    <Stack gap="xs" data-testid="diagnosis-fields">
      {f.deadPixels && (
        <div>
          <Text fw={600} size="sm">{t('clients.diag.pixels')} <Text span size="xs" c="dark.5">({f.deadPixels.rule})</Text></Text>
          <SimpleGrid cols={{ base: 2, sm: 3 }} spacing="xs">
            {f.deadPixels.types.map((k) => (
              <NumberInput
                key={k}
                label={t(`clients.diag.pixel.${k}`, k)}
                description={t('clients.diag.limit', { n: f.deadPixels!.limits[k] })}
                min={0}
                allowDecimal={false}
                value={value.deadPixels[k] ?? ''}
                onChange={(v) => onChange({ ...value, deadPixels: { ...value.deadPixels, [k]: v === '' ? '' : Number(v) } })}
                name={`pixels-${k}`}
              />
            ))}
          </SimpleGrid>
        </div>
      )}
      {f.country && (
        <TextInput label={t('clients.diag.country')} description={t('clients.diag.countryHint', { home: f.country.home, rule: f.country.rule ?? '' })} placeholder={f.country.home} value={value.country} onChange={(e) => onChange({ ...value, country: e.currentTarget.value })} name="use-country" w={260} />
      )}
      {f.parts.length > 0 && (
        <Select
          label={t('clients.diag.part')}
          data={[{ value: '', label: t('clients.diag.wholeDevice') }, ...f.parts.map((p) => ({ value: p.id, label: `${categoryText(p.category, p.categoryNames)} (${p.id})${p.term ? ` · ${p.term}` : ''}` }))]}
          value={value.partId}
          onChange={(v) => onChange({ ...value, partId: v ?? '' })}
          allowDeselect={false}
          w={260}
          data-testid="claim-part"
        />
      )}
      {f.insignificant && <Checkbox label={`${t('form.insignificant')} (${f.insignificant.rule})`} checked={insignificant} onChange={(e) => onInsignificant(e.currentTarget.checked)} data-testid="insignificant" />}
    </Stack>
  );
}

// ---------- intake: the client may be on record already ----------

/** While a new client is typed at intake: the clients on record with that e-mail, phone or name, to use instead. */
export function ExistingClientHint({ draft, onPick }: { draft: { name: string; phone: string; email: string }; onPick: (c: Customer) => void }) {
  const { t } = useTranslation();
  const q = { ...(draft.email.includes('@') ? { email: draft.email.trim() } : {}), ...(draft.phone.replace(/\D/g, '').length >= 6 ? { phone: draft.phone } : {}), ...(draft.name.trim().length >= 3 ? { name: draft.name.trim() } : {}) };
  const s = useQuery({ ...matchesQuery(q), enabled: Object.keys(q).length > 0 });
  const items = Object.keys(q).length ? (s.data?.items ?? []) : [];
  if (!items.length) return null;
  return (
    <Alert color="yellow" title={t('clients.intake.onRecord')} data-testid="existing-client">
      <Stack gap={4}>
        {items.slice(0, 5).map((m) => (
          <Group key={m.customer.id} gap="xs" wrap="nowrap">
            <Text size="sm" style={{ flex: 1, minWidth: 0, wordBreak: 'break-word' }}>
              <b>{m.customer.name}</b> · {[m.customer.phone, m.customer.email].filter(Boolean).join(' · ')} <Text span size="xs" c="dark.5">({m.matchedBy.map((b) => t(`clients.intake.by.${b}`)).join(', ')})</Text>
            </Text>
            <Button size="compact-sm" variant="white" onClick={() => onPick(m.customer)} data-testid="use-existing">{t('clients.intake.use')}</Button>
          </Group>
        ))}
      </Stack>
    </Alert>
  );
}

// ---------- the customer page ----------

export function CustomerPage({ id }: { id: string }) {
  const { t } = useTranslation();
  const s = useQuery(overviewQuery(id));
  return (
    <Loaded s={s}>
      {(o) => (
        <Stack data-testid="customer-page">
          <div>
            <Title order={1} size="h2" data-testid="customer-title">{o.customer.name}</Title>
            <Group gap="xs">
              <Badge variant="light" color="dark">{t(`clients.kind.${o.customer.kind}`)}</Badge>
              {o.customer.preferredChannel && <Text size="sm">{t('clients.channel')}: {t(`channel.${o.customer.preferredChannel}`, o.customer.preferredChannel)}</Text>}
            </Group>
          </div>
          {o.customer.mergedIntoId && (
            <Alert color="yellow" data-testid="merged-note">{t('clients.merge.wasMerged')} <Anchor {...linkProps(`/customers/${o.customer.mergedIntoId}`)}>{t('clients.merge.open')}</Anchor></Alert>
          )}
          <Card withBorder><Contact c={o.customer} /></Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">{t('clients.devices', { count: o.devices.length })}</Title>
            {o.devices.length === 0 ? <Text c="dark.5">{t('common.none')}</Text> : (
              <Stack gap="xs" data-testid="customer-devices">
                {o.devices.map((d) => (
                  <Group key={d.id} gap="xs" wrap="wrap">
                    <Anchor {...linkProps(`/devices/${d.id}`)} style={{ wordBreak: 'break-all' }}>{d.serial}</Anchor>
                    <Text size="sm">{d.manufacturer} {d.model}</Text>
                    <Badge variant="light" color="dark" style={{ overflow: 'visible' }}>{t(`condition.${d.condition}`, d.condition)}</Badge>
                  </Group>
                ))}
              </Stack>
            )}
          </Card>
          <Card withBorder>
            <Title order={2} size="h4" mb="xs">{t('clients.orders', { count: o.orders.length })}</Title>
            {o.orders.length === 0 ? <Text c="dark.5">{t('common.none')}</Text> : (
              <Stack gap="sm" data-testid="customer-orders">
                {o.orders.map((x) => (
                  <div key={x.id}>
                    <Group gap="xs" wrap="wrap">
                      <Anchor {...linkProps(`/orders/${x.id}`)} style={{ whiteSpace: 'nowrap' }}>{x.number}</Anchor>
                      <Badge variant="light" color="dark" style={{ overflow: 'visible' }}>{t(`state.${x.state}`, x.state)}</Badge>
                      <Text size="sm">{fmtDate(x.claimDate)}</Text>
                    </Group>
                    <Text size="sm" c="dark.6" style={{ wordBreak: 'break-word' }}>{[o.devices.find((d) => d.id === x.deviceId)?.serial, x.problem].filter(Boolean).join(' · ')}</Text>
                  </div>
                ))}
              </Stack>
            )}
          </Card>
          {o.purchases.length > 0 && (
            <Card withBorder>
              <Title order={2} size="h4" mb="xs">{t('clients.purchases')}</Title>
              <List>{o.purchases.map((p) => <List.Item key={p.id}>{fmtDate(p.soldOn)} · {t(`clients.docType.${p.documentType}`, p.documentType)} {p.documentNumber} · {o.devices.find((d) => d.id === p.deviceId)?.serial ?? ''}</List.Item>)}</List>
            </Card>
          )}
          {!o.customer.mergedIntoId && <Duplicates c={o.customer} />}
        </Stack>
      )}
    </Loaded>
  );
}

/** Clients on record that look like this one (same e-mail, phone or name): merged into this one after a confirmation. */
function Duplicates({ c }: { c: Customer }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = { ...(c.email ? { email: c.email } : {}), ...(c.phone ? { phone: c.phone } : {}), name: c.name };
  const s = useQuery(matchesQuery(q));
  const [confirm, setConfirm] = useState<Customer | null>(null);
  const merge = useMutation({
    mutationFn: (dup: Customer) => ok(api.POST('/api/v1/customers/{id}/merge', { params: { path: { id: c.id } }, body: { duplicateId: dup.id, version: c.version, duplicateVersion: dup.version } })),
    onSuccess: () => {
      setConfirm(null);
      void invalidateOrder(qc);
    },
  });
  const others = (s.data?.items ?? []).filter((m) => m.customer.id !== c.id);
  return (
    <Card withBorder data-testid="duplicates">
      <Title order={2} size="h4" mb="xs">{t('clients.merge.title')}</Title>
      {others.length === 0 ? <Text c="dark.5" size="sm">{t('clients.merge.none')}</Text> : (
        <Stack gap="xs">
          {others.map((m) => (
            <Group key={m.customer.id} justify="space-between" wrap="wrap" gap="xs">
              <Text size="sm" style={{ wordBreak: 'break-word' }}>
                <Anchor {...linkProps(`/customers/${m.customer.id}`)}>{m.customer.name}</Anchor> · {[m.customer.phone, m.customer.email, m.customer.address].filter(Boolean).join(' · ')}
              </Text>
              <Button size="xs" variant="light" color="orange" onClick={() => setConfirm(m.customer)} data-testid="merge-start">{t('clients.merge.action')}</Button>
            </Group>
          ))}
        </Stack>
      )}
      {confirm && (
        <Alert color="orange" mt="sm" title={t('clients.merge.confirmTitle')} data-testid="merge-confirm">
          <Text size="sm">{t('clients.merge.confirm', { dup: confirm.name, into: c.name })}</Text>
          <Group mt="xs">
            <Button size="xs" color="orange" loading={merge.isPending} onClick={() => merge.mutate(confirm)} data-testid="merge-do">{t('clients.merge.do')}</Button>
            <Button size="xs" variant="default" onClick={() => setConfirm(null)}>{t('common.back')}</Button>
          </Group>
          <ErrorNote error={merge.error} />
        </Alert>
      )}
      {merge.data && <Alert color="teal" mt="sm" data-testid="merge-done">{t('clients.merge.done', { name: merge.data.duplicate.name })}</Alert>}
    </Card>
  );
}

// ---------- sales and the device's history ----------

const DATES = ['soldOn', 'deliveredOn', 'shippedOn', 'installedOn', 'activatedOn'] as const;

/** Record a sale of the device (its dates become the history's events) and its condition and manufacturer's term. */
export function DeviceSales({ d }: { d: Device }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [f, setF] = useState({ documentType: 'invoice', documentNumber: '', place: '', soldOn: '', deliveredOn: '', shippedOn: '', installedOn: '', activatedOn: '' });
  const [dev, setDev] = useState({ condition: d.condition, mfrTerm: d.manufacturerWarranty?.term ?? '', mfrProvider: d.manufacturerWarranty?.provider ?? '' });
  const [key] = useState(idemKey);
  const sale = useMutation({
    mutationFn: async () => {
      const changed = dev.condition !== d.condition || dev.mfrTerm !== (d.manufacturerWarranty?.term ?? '') || dev.mfrProvider !== (d.manufacturerWarranty?.provider ?? '');
      if (changed) {
        await ok(api.PATCH('/api/v1/devices/{id}', { params: { path: { id: d.id } }, body: { version: d.version, condition: dev.condition, manufacturerWarranty: dev.mfrTerm.trim() ? { term: dev.mfrTerm.trim(), provider: dev.mfrProvider.trim() || null } : null } }));
      }
      if (!f.documentNumber.trim() && !f.soldOn) return null;
      const body: Body<'/api/v1/purchases'> = {
        deviceId: d.id,
        documentType: f.documentType as Body<'/api/v1/purchases'>['documentType'],
        documentNumber: f.documentNumber,
        soldOn: f.soldOn,
        ...Object.fromEntries(DATES.slice(1).filter((k) => f[k]).map((k) => [k, f[k]])),
        ...(f.place.trim() ? { place: f.place.trim() } : {}),
      };
      return ok(api.POST('/api/v1/purchases', { body, params: { header: { 'idempotency-key': key } } }));
    },
    onSuccess: () => {
      setOpen(false);
      void qc.invalidateQueries({ queryKey: ['devices'] });
      void qc.invalidateQueries({ queryKey: ['customers'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    sale.mutate();
  };
  const upd = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => { const v = e.currentTarget.value; setF((x) => ({ ...x, [k]: v })); };
  return (
    <Card withBorder data-testid="device-sales">
      <Group justify="space-between">
        <Title order={2} size="h4">{t('clients.sale.title')}</Title>
        <Button size="xs" variant={open ? 'filled' : 'light'} onClick={() => setOpen(!open)} aria-expanded={open} data-testid="sale-open">{t('clients.sale.record')}</Button>
      </Group>
      {open && (
        <form onSubmit={submit} aria-label={t('clients.sale.title')}>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" mt="xs">
            <Select label={t('clients.sale.documentType')} data={['invoice', 'receipt', 'contract'].map((v) => ({ value: v, label: t(`clients.docType.${v}`) }))} value={f.documentType} onChange={(v) => v && setF((x) => ({ ...x, documentType: v }))} allowDeselect={false} />
            <TextInput label={t('clients.sale.documentNumber')} value={f.documentNumber} onChange={upd('documentNumber')} name="documentNumber" />
            {DATES.map((k) => <TextInput key={k} type="date" label={t(`clients.sale.${k}`)} value={f[k]} onChange={upd(k)} name={k} />)}
            <TextInput label={t('field.purchasePlace')} value={f.place} onChange={upd('place')} name="place" />
            <Select label={t('clients.sale.condition')} data={['new', 'refurbished', 'used', 'discounted'].map((v) => ({ value: v, label: t(`condition.${v}`) }))} value={dev.condition} onChange={(v) => v && setDev((x) => ({ ...x, condition: v as Device['condition'] }))} allowDeselect={false} data-testid="sale-condition" />
            <TextInput label={t('clients.sale.mfrTerm')} placeholder={t('clients.sale.mfrTermHint')} value={dev.mfrTerm} onChange={(e) => { const v = e.currentTarget.value; setDev((x) => ({ ...x, mfrTerm: v })); }} name="mfrTerm" />
            <TextInput label={t('clients.sale.mfrProvider')} value={dev.mfrProvider} onChange={(e) => { const v = e.currentTarget.value; setDev((x) => ({ ...x, mfrProvider: v })); }} name="mfrProvider" />
          </SimpleGrid>
          <ErrorNote error={sale.error} />
          <Button type="submit" mt="sm" loading={sale.isPending} data-testid="sale-save">{t('clients.sale.save')}</Button>
        </form>
      )}
    </Card>
  );
}

/** The device's history; a wrong event is voided with a reason (it stays, struck through). */
export function DeviceHistory({ deviceId }: { deviceId: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const events = useQuery(eventsQuery(deviceId));
  const [voiding, setVoiding] = useState<string | null>(null);
  const [reason, setReason] = useState('');
  const [key, setKey] = useState(idemKey);
  const run = useMutation({
    mutationFn: (eventId: string) => ok(api.POST('/api/v1/devices/{id}/events/{eventId}/void', { params: { path: { id: deviceId, eventId }, header: { 'idempotency-key': key } }, body: { reason } })),
    onSuccess: () => {
      setVoiding(null);
      setReason('');
      setKey(idemKey());
      void qc.invalidateQueries({ queryKey: ['devices'] });
    },
  });
  return (
    <Loaded s={events}>
      {(ev) => (
        <Table data-testid="events">
          <Table.Tbody>
            {ev.items.map((e: DeviceEvent) => (
              <Table.Tr key={e.id} data-voided={e.voided ? 'true' : undefined}>
                <Table.Td style={{ whiteSpace: 'nowrap', textDecoration: e.voided ? 'line-through' : undefined }}>{fmtDate(e.date)}</Table.Td>
                <Table.Td style={{ textDecoration: e.voided ? 'line-through' : undefined }}>{t(`event.${e.type}`, e.type)}</Table.Td>
                <Table.Td>
                  <span style={{ textDecoration: e.voided ? 'line-through' : undefined }}>{[e.partId, e.term, e.orderRef, e.note].filter(Boolean).join(' · ')}</span>
                  {e.voided && <Text size="xs" c="red.9" data-testid="void-reason">{t('clients.history.voided', { reason: e.voided.reason, date: fmtDate(e.voided.at.slice(0, 10)) })}</Text>}
                  {!e.voided && voiding !== e.id && <Button size="compact-xs" variant="subtle" color="red" ml="xs" onClick={() => { setVoiding(e.id); run.reset(); }} data-testid="void-event">{t('clients.history.void')}</Button>}
                  {voiding === e.id && (
                    <form onSubmit={(x) => { x.preventDefault(); run.mutate(e.id); }} aria-label={t('clients.history.void')}>
                      <Group gap="xs" align="flex-end" mt={4}>
                        <TextInput size="xs" label={t('clients.history.reason')} required value={reason} onChange={(x) => setReason(x.currentTarget.value)} name="void-reason" w={220} />
                        <Button size="xs" color="red" type="submit" loading={run.isPending} data-testid="void-confirm">{t('clients.history.confirm')}</Button>
                        <Button size="xs" variant="default" onClick={() => setVoiding(null)}>{t('common.back')}</Button>
                      </Group>
                      <ErrorNote error={run.error} />
                    </form>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Loaded>
  );
}
