// The intake wizard at the counter: client → device → problem → checklist and condition → sign.
// The engine's provisional answer shows as soon as the device is known, and again on the opened order.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Radio, Select, SimpleGrid, Stack, Stepper, Text, TextInput, Textarea, Title } from '@mantine/core';
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Body } from '../lib/api';
import { lang, type Lang } from '../lib/i18n';
import { customerQuery, customersQuery, deviceQuery, devicesQuery, invalidateOrder, warrantyQuery } from '../lib/queries';
import { linkProps, navigate, query } from '../lib/router';
import { ErrorNote } from '../lib/ui';
import type { Customer, Device } from './Search';
import { WorkOrderForm, emptyWorkOrder, type WorkOrder } from './WorkOrderForm';
import { IntakeWorkshopFields, PhotoInput, emptyIntakeWorkshop, intakeWorkshopBody, uploadPhotos, type IntakeWorkshop } from './Workshop';
import { ExistingClientHint } from './Clients';
import { ReceivedAtField, receivedAtIso, receivedAtProblem, useBusinessZone } from './ReceivedAt';

const PROOFS = ['invoice', 'receipt', 'warrantyCard', 'serviceContract'] as const;

type NewCustomer = { name: string; phone: string; email: string; preferredLanguage: string };
type NewDevice = { serial: string; manufacturer: string; model: string; category: string };

export function IntakePage() {
  const { t, i18n } = useTranslation();
  const [step, setStep] = useState(0);
  const [customer, setCustomer] = useState<Customer | null>(null);
  const [newCustomer, setNewCustomer] = useState<NewCustomer>({ name: '', phone: '', email: '', preferredLanguage: i18n.language });
  const [device, setDevice] = useState<Device | null>(null);
  const [newDevice, setNewDevice] = useState<NewDevice>({ serial: '', manufacturer: '', model: '', category: '' });
  const [problem, setProblem] = useState('');
  const [purchase, setPurchase] = useState({ date: '', place: '' });
  const [receivedAt, setReceivedAt] = useState('');
  const zone = useBusinessZone();
  const [proofs, setProofs] = useState<Record<string, boolean>>({});
  const [wo, setWo] = useState<WorkOrder>(emptyWorkOrder());
  const [preloadError, setPreloadError] = useState<unknown>();
  const key = useRef(idemKey());
  const qc = useQueryClient();

  // From a device page: the device and its owner are already known (read through the cache, once:
  // they become the wizard's own choices, which the user may change).
  useEffect(() => {
    const id = query().get('device');
    if (!id) return;
    qc.fetchQuery(deviceQuery(id)).then(async (d) => {
      setDevice(d);
      if (d.customerId) setCustomer(await qc.fetchQuery(customerQuery(d.customerId)));
    }, setPreloadError);
  }, [qc]);

  const customerOk = !!customer || (newCustomer.name.trim() && (newCustomer.phone.trim() || newCustomer.email.trim()));
  const deviceOk = !!device || !!newDevice.serial.trim();
  const [ws, setWs] = useState<IntakeWorkshop>(emptyIntakeWorkshop());
  const [photos, setPhotos] = useState<File[]>([]);
  const [uploaded, setUploaded] = useState<number | null>(null);
  const category = (device?.category ?? newDevice.category).trim().toLowerCase();
  const claim = useMutation({
    // The claim with its workshop card (technician, promised date, priority, channel, passcode,
    // pre-check, a note: issue 16) in one request, written in one transaction.
    // The photos then go to the new order one by one; one that fails can be added again on the order.
    mutationFn: async (body: Body<'/api/v1/claims'>) => {
      const r = await ok(api.POST('/api/v1/claims', { body, params: { header: { 'idempotency-key': key.current } } }));
      if (photos.length) {
        setUploaded(0);
        await uploadPhotos(r.order.id, photos, setUploaded).catch(() => {});
      }
      return r;
    },
    onSuccess: (r) => {
      void invalidateOrder(qc);
      navigate(`/orders/${r.order.id}`);
    },
    // On a failure everything typed stays; the same key makes a retry safe.
  });
  const busy = claim.isPending;
  const error = claim.error ?? preloadError;
  const submit = () => {
    setPreloadError(undefined);
    claim.mutate({
        channel: 'walk-in',
        ...(customer ? { customerId: customer.id } : { customer: { name: newCustomer.name, phone: newCustomer.phone || null, email: newCustomer.email || null, preferredLanguage: newCustomer.preferredLanguage as Lang } }),
        ...(device ? { deviceId: device.id } : { device: { serial: newDevice.serial, manufacturer: newDevice.manufacturer || undefined, model: newDevice.model || null, category: newDevice.category || undefined } }),
        ...(purchase.date || purchase.place ? { purchase: { date: purchase.date || undefined, place: purchase.place || undefined } } : {}),
        problem,
        ...(receivedAt ? { receivedAt: receivedAtIso(receivedAt, zone) } : {}),
        proofs,
        workOrder: { ...wo, problemInClientsWords: wo.problemInClientsWords || problem },
        workshop: intakeWorkshopBody(ws, qc.getQueryData<{ precheck: string[] }>(['workshop', 'intake-options', category])?.precheck),
    });
  };

  return (
    <Stack maw={900}>
      <Title order={1} size="h2">{t('intake.title')}</Title>
      <Stepper active={step} onStepClick={setStep} size="sm" allowNextStepsSelect={false}>
        <Stepper.Step label={t('intake.client')}>
          <ClientStep customer={customer} setCustomer={setCustomer} draft={newCustomer} setDraft={setNewCustomer} />
        </Stepper.Step>
        <Stepper.Step label={t('intake.device')}>
          <DeviceStep device={device} setDevice={setDevice} draft={newDevice} setDraft={setNewDevice} customerId={customer?.id} />
        </Stepper.Step>
        <Stepper.Step label={t('intake.problem')}>
          <Stack gap="xs">
            <Textarea label={t('intake.problemLabel')} required autosize minRows={3} value={problem} onChange={(e) => setProblem(e.currentTarget.value)} name="problem" />
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('claim.purchaseDate')} type="date" value={purchase.date} onChange={(e) => { const v = e.currentTarget.value; setPurchase((p) => ({ ...p, date: v })); }} />
              <TextInput label={t('claim.purchasePlace')} value={purchase.place} onChange={(e) => { const v = e.currentTarget.value; setPurchase((p) => ({ ...p, place: v })); }} />
            </SimpleGrid>
            <ReceivedAtField value={receivedAt} onChange={setReceivedAt} purchaseDate={purchase.date || undefined} error={claim.error} />
            <Checkbox.Group label={t('claim.proofs')} value={Object.keys(proofs).filter((k) => proofs[k])} onChange={(v) => setProofs(Object.fromEntries(PROOFS.map((p) => [p, v.includes(p)])))}>
              <Group mt={4}>{PROOFS.map((p) => <Checkbox key={p} value={p} label={t(`field.${p}`)} />)}</Group>
            </Checkbox.Group>
          </Stack>
        </Stepper.Step>
        <Stepper.Step label={t('intake.checklist')}>
          <WorkOrderForm value={{ ...wo, problemInClientsWords: wo.problemInClientsWords || problem }} onChange={setWo} />
          <IntakeWorkshopFields value={ws} onChange={setWs} category={category} />
          <Card withBorder mt="xs" data-testid="intake-photos">
            <Title order={2} size="h5">{t('workshop.photos')}</Title>
            <Text size="xs" c="dark.5" mb={4}>{t('workshop.photosHint')}</Text>
            <PhotoInput testId="intake-photo-input" onFiles={(f) => setPhotos((p) => [...p, ...f])} />
            {photos.length > 0 && (
              <Group gap="xs" mt={4}>
                <Text size="sm">{t('workshop.photosChosen', { count: photos.length })}</Text>
                <Anchor component="button" type="button" size="sm" onClick={() => setPhotos([])}>{t('workshop.clearPhotos')}</Anchor>
              </Group>
            )}
          </Card>
        </Stepper.Step>
        <Stepper.Step label={t('intake.sign')}>
          <Card withBorder>
            <Text><b>{t('intake.client')}:</b> {customer?.name ?? newCustomer.name}</Text>
            <Text><b>{t('intake.device')}:</b> {device ? `${device.manufacturer} ${device.model ?? ''} · ${device.serial}` : newDevice.serial}</Text>
            <Text><b>{t('intake.problem')}:</b> {problem}</Text>
            <Text><b>{t('wo.signedBy')}:</b> {wo.signedBy || '—'} · {t('wo.terms')}: {wo.termsAccepted ? '✓' : '✗'}</Text>
            {device && <ProvisionalAnswer deviceId={device.id} />}
          </Card>
          {(!wo.termsAccepted || !wo.signedBy.trim()) && (
            <Alert color="yellow" mt="sm" data-testid="sign-missing">
              {t('intake.signMissing', { terms: t('wo.terms') })}{' '}
              <Anchor component="button" onClick={() => setStep(3)}>{t('intake.toChecklist')}</Anchor>
            </Alert>
          )}
        </Stepper.Step>
      </Stepper>
      {busy && uploaded !== null && <Text size="sm" role="status">{t('workshop.uploadingPhotos', { done: uploaded, total: photos.length })}</Text>}
      <ErrorNote error={error} />
      <Group>
        {step > 0 && <Button variant="default" onClick={() => setStep(step - 1)}>{t('common.back')}</Button>}
        {step < 4 && (
          <Button onClick={() => setStep(step + 1)} disabled={(step === 0 && !customerOk) || (step === 1 && !deviceOk) || (step === 2 && (!problem.trim() || receivedAtProblem(receivedAt, new Date(), zone, purchase.date || undefined) !== null))} data-testid="next">
            {t('common.next')}
          </Button>
        )}
        {step === 4 && (
          <Button onClick={submit} loading={busy} disabled={!wo.termsAccepted || !wo.signedBy.trim()} data-testid="sign">
            {t('intake.signAndOpen')}
          </Button>
        )}
      </Group>
    </Stack>
  );
}

function ClientStep({ customer, setCustomer, draft, setDraft }: { customer: Customer | null; setCustomer: (c: Customer | null) => void; draft: NewCustomer; setDraft: (d: NewCustomer) => void }) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  // Search as you type: each text is its own query, so a slow answer for "Iv" never replaces the one for "Ivan".
  const asked = q.trim().length >= 2;
  const search = useQuery({ ...customersQuery({ q, limit: 8 }), enabled: asked, placeholderData: keepPreviousData });
  const found = { data: asked ? search.data : { items: [] } };
  const upd = (k: string) => (e: React.ChangeEvent<HTMLInputElement>) => { const v = e.currentTarget.value; setDraft({ ...draft, [k]: v }); };
  return (
    <Stack gap="xs">
      <TextInput label={t('intake.findClient')} placeholder={t('intake.findClientHint')} value={q} onChange={(e) => setQ(e.currentTarget.value)} />
      {found.data && found.data.items.length > 0 && (
        <Radio.Group value={customer?.id ?? ''} onChange={(id) => setCustomer(found.data!.items.find((c) => c.id === id) ?? null)} label={t('intake.pickClient')}>
          <Stack gap={4} mt={4}>{found.data.items.map((c) => <Radio key={c.id} value={c.id} label={`${c.name} · ${[c.phone, c.email].filter(Boolean).join(' · ')}`} />)}</Stack>
        </Radio.Group>
      )}
      {customer ? (
        <Alert color="teal">{t('intake.clientChosen', { name: customer.name })} <Anchor component="button" onClick={() => setCustomer(null)}>{t('common.change')}</Anchor></Alert>
      ) : (
        <Card withBorder>
          <Text fw={600} mb={4}>{t('intake.newClient')}</Text>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <TextInput label={t('claim.name')} value={draft.name} onChange={upd('name')} name="customer-name" />
            <TextInput label={t('claim.phone')} type="tel" value={draft.phone} onChange={upd('phone')} name="customer-phone" />
            <TextInput label={t('claim.email')} type="email" value={draft.email} onChange={upd('email')} name="customer-email" />
            <Select label={t('common.language')} data={[{ value: 'en', label: 'English' }, { value: 'bg', label: 'Български' }, { value: 'vi', label: 'Tiếng Việt' }]} value={draft.preferredLanguage} onChange={(v) => v && setDraft({ ...draft, preferredLanguage: v })} allowDeselect={false} data-testid="customer-language" />
          </SimpleGrid>
          <ExistingClientHint draft={draft} onPick={setCustomer} />
        </Card>
      )}
    </Stack>
  );
}

function DeviceStep({ device, setDevice, draft, setDraft, customerId }: { device: Device | null; setDevice: (d: Device | null) => void; draft: NewDevice; setDraft: (d: NewDevice) => void; customerId?: string }) {
  const { t } = useTranslation();
  const own = useQuery({ ...devicesQuery({ customerId, limit: 20 }), enabled: !!customerId });
  const serial = draft.serial.trim();
  const bySerial = useQuery({ ...devicesQuery({ serial, limit: 5 }), enabled: serial.length >= 3, placeholderData: keepPreviousData });
  const options = [...((customerId && own.data?.items) || []), ...((serial.length >= 3 && bySerial.data?.items) || [])].filter((d, i, a) => a.findIndex((x) => x.id === d.id) === i);
  const upd = (k: string) => (e: React.ChangeEvent<HTMLInputElement>) => { const v = e.currentTarget.value; setDraft({ ...draft, [k]: v }); };
  return (
    <Stack gap="xs">
      {device ? (
        <>
          <Alert color="teal">{t('intake.deviceChosen', { serial: device.serial })} <Anchor component="button" onClick={() => setDevice(null)}>{t('common.change')}</Anchor></Alert>
          <ProvisionalAnswer deviceId={device.id} />
        </>
      ) : (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs">
            <TextInput label={t('claim.serial')} required value={draft.serial} onChange={upd('serial')} name="serial" />
            <TextInput label={t('claim.manufacturer')} value={draft.manufacturer} onChange={upd('manufacturer')} />
            <TextInput label={t('claim.model')} value={draft.model} onChange={upd('model')} />
            <TextInput label={t('claim.category')} value={draft.category} onChange={upd('category')} placeholder="laptop, phone, …" />
          </SimpleGrid>
          {options.length > 0 && (
            <Radio.Group label={t('intake.pickDevice')} value="" onChange={(id) => setDevice(options.find((d) => d.id === id) ?? null)}>
              <Stack gap={4} mt={4}>{options.map((d) => <Radio key={d.id} value={d.id} label={`${d.serial} · ${d.manufacturer} ${d.model ?? ''}`} />)}</Stack>
            </Radio.Group>
          )}
        </>
      )}
    </Stack>
  );
}

function ProvisionalAnswer({ deviceId }: { deviceId: string }) {
  const { t } = useTranslation();
  const s = useQuery(warrantyQuery(deviceId, { lang: lang() }));
  if (!s.data) return s.error ? <ErrorNote error={s.error} /> : null;
  return (
    <Card withBorder mt="xs" data-testid="provisional">
      <Group gap="xs">
        <Text fw={600}>{t('intake.provisional')}:</Text>
        <Badge color={s.data.covered ? 'teal.9' : 'red.9'}>{s.data.covered ? t('device.covered') : t('device.notCovered')}</Badge>
        <Anchor {...linkProps(`/devices/${deviceId}`)} size="sm" target="_blank">{t('intake.seeTimeline')}</Anchor>
      </Group>
      {s.data.explanation.map((e, i) => <Text key={i} size="sm">{e}</Text>)}
    </Card>
  );
}
