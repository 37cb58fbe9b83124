// The order's workshop card (issue 16): technician, priority, promised date, the client's channel,
// the device's passcode (shown only to who repairs it, on request), the pre-check at intake, internal
// notes; and "message the client". Everything through /api/v1/service-orders/{id}/workshop, /notes,
// /messages; a change invalidates the order (its version moves) and the messages list.
import { Alert, Anchor, Button, Card, Group, List, SegmentedControl, Select, SimpleGrid, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, upload, type Body, type Reply } from '../lib/api';
import { photoName, shrinkPhoto } from '../lib/photos';
import { fmtDateTime } from '../lib/i18n';
import { invalidateOrder } from '../lib/queries';
import { ErrorNote, Loaded } from '../lib/ui';
import { useSession } from './Console';

type W = Reply<'/api/v1/service-orders/{id}/workshop'>;
type Patch = Body<'/api/v1/service-orders/{id}/workshop', 'patch'>;
const workshopQuery = (id: string) => ({
  queryKey: ['service-orders', 'workshop', id] as const,
  queryFn: ({ signal }: { signal: AbortSignal }) => ok(api.GET('/api/v1/service-orders/{id}/workshop', { params: { path: { id } }, signal })),
});

export function WorkshopCard({ id }: { id: string }) {
  const { t } = useTranslation();
  const s = useQuery(workshopQuery(id));
  return (
    <Card withBorder data-testid="workshop">
      <Title order={2} size="h4" mb="xs">{t('workshop.title')}</Title>
      <Loaded s={s}>{(w) => <WorkshopForm key={w.version} w={w} />}</Loaded>
    </Card>
  );
}

function WorkshopForm({ w }: { w: W }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const { me } = useSession();
  const office = me.user.role !== 'technician';
  const [f, setF] = useState({ technicianId: w.technician?.id ?? '', priority: w.priority, promisedOn: w.promisedOn ?? '', contactChannel: w.contactChannel, passcode: '', unlockPattern: '' });
  const [pre, setPre] = useState<Record<string, W['precheck'][number]['result']>>(Object.fromEntries(w.precheck.map((p) => [p.code, p.result])));
  const [editPasscode, setEditPasscode] = useState(!w.passcodeSet);
  const done = () => void invalidateOrder(qc);
  const save = useMutation({
    mutationFn: (body: Patch) => ok(api.PATCH('/api/v1/service-orders/{id}/workshop', { params: { path: { id: w.orderId } }, body })),
    onSuccess: done,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const changedPre = Object.fromEntries(Object.entries(pre).filter(([k, v]) => w.precheck.find((p) => p.code === k)?.result !== v));
    save.mutate({
      version: w.version,
      ...(office ? { technicianId: f.technicianId || null, priority: f.priority, promisedOn: f.promisedOn || null, contactChannel: f.contactChannel } : {}),
      ...(editPasscode && (f.passcode || f.unlockPattern || w.passcodeSet) ? { passcode: f.passcode || null, unlockPattern: f.unlockPattern || null } : {}),
      ...(Object.keys(changedPre).length ? { precheck: changedPre } : {}),
    });
  };
  const set = (k: keyof typeof f) => (v: string | null) => v !== null && setF((x) => ({ ...x, [k]: v }));
  return (
    <Stack gap="xs">
      <form onSubmit={submit} aria-label={t('workshop.title')}>
        <Stack gap="xs">
          <Group grow align="flex-end" wrap="wrap">
            <Select label={t('workshop.technician')} data={[{ value: '', label: t('workshop.unassigned') }, ...w.assignable.map((s) => ({ value: s.id, label: `${s.name} (${t(`role.${s.role}`, s.role)})` }))]} value={f.technicianId} onChange={set('technicianId')} disabled={!office} allowDeselect={false} miw={160} data-testid="ws-technician" />
            <Select label={t('workshop.priority')} data={['low', 'normal', 'high', 'urgent'].map((p) => ({ value: p, label: t(`workshop.prio.${p}`) }))} value={f.priority} onChange={set('priority')} disabled={!office} allowDeselect={false} miw={120} />
          </Group>
          <Group grow align="flex-end" wrap="wrap">
            <TextInput type="date" label={t('workshop.promisedOn')} value={f.promisedOn} onChange={(e) => set('promisedOn')(e.currentTarget.value)} disabled={!office} miw={160} />
            <Select label={t('workshop.channel')} data={['email', 'sms'].map((c) => ({ value: c, label: t(`workshop.ch.${c}`) }))} value={f.contactChannel} onChange={set('contactChannel')} disabled={!office} allowDeselect={false} miw={120} />
          </Group>
          <Passcode w={w} edit={editPasscode} onEdit={() => setEditPasscode(true)} f={f} setF={(k, v) => setF((x) => ({ ...x, [k]: v }))} />
          <Text fw={600} size="sm" mt={4}>{t('workshop.precheck')}</Text>
          <Precheck testId="precheck" items={w.precheck.map((p) => p.code)} value={pre} onChange={(code, r) => setPre((x) => ({ ...x, [code]: r }))} />
          <ErrorNote error={save.error} />
          <Group>
            <Button type="submit" loading={save.isPending} data-testid="ws-save">{t('workshop.save')}</Button>
          </Group>
        </Stack>
      </form>
      <Photos id={w.orderId} />
      <Notes w={w} onDone={done} />
    </Stack>
  );
}

function Passcode({ w, edit, onEdit, f, setF }: { w: W; edit: boolean; onEdit: () => void; f: { passcode: string; unlockPattern: string }; setF: (k: 'passcode' | 'unlockPattern', v: string) => void }) {
  const { t } = useTranslation();
  const reveal = useMutation({ mutationFn: () => ok(api.GET('/api/v1/service-orders/{id}/workshop/passcode', { params: { path: { id: w.orderId } } })) });
  const [shown, setShown] = useState(false);
  return (
    <div data-testid="passcode">
      {edit ? (
        <Group grow align="flex-end" wrap="wrap">
          <TextInput label={t('workshop.passcode')} value={f.passcode} onChange={(e) => setF('passcode', e.currentTarget.value)} autoComplete="off" miw={160} />
          <TextInput label={t('workshop.unlockPattern')} value={f.unlockPattern} onChange={(e) => setF('unlockPattern', e.currentTarget.value)} autoComplete="off" placeholder="1-5-9-6" miw={160} />
        </Group>
      ) : (
        <Group gap="xs">
          <Text size="sm">{w.passcodeSet ? t('workshop.passcodeSet') : t('workshop.passcodeNone')}</Text>
          {w.passcodeSet && w.passcodeReadable && (
            <Button size="compact-sm" variant="light" onClick={() => { if (shown) setShown(false); else { setShown(true); reveal.mutate(); } }} data-testid="show-passcode">{shown ? t('workshop.hidePasscode') : t('workshop.showPasscode')}</Button>
          )}
          <Anchor component="button" type="button" size="sm" onClick={onEdit}>{t('workshop.changePasscode')}</Anchor>
        </Group>
      )}
      {shown && reveal.data && (
        <Alert color="gray" mt={4} data-testid="passcode-shown">
          {reveal.data.passcode && <Text ff="monospace">{t('workshop.passcodeShown', { passcode: reveal.data.passcode })}</Text>}
          {reveal.data.unlockPattern && <Text ff="monospace">{t('workshop.patternShown', { pattern: reveal.data.unlockPattern })}</Text>}
        </Alert>
      )}
      <ErrorNote error={reveal.error} />
      <Text size="xs" c="dark.5" mt={2}>{t('workshop.passcodeHint')}</Text>
    </div>
  );
}

const photosQuery = (id: string) => ({
  queryKey: ['service-orders', 'photos', id] as const,
  queryFn: ({ signal }: { signal: AbortSignal }) => ok(api.GET('/api/v1/service-orders/{id}/photos', { params: { path: { id } }, signal })),
});

/** Uploads photos to an order one by one (each made smaller first); `onEach` after each. */
export async function uploadPhotos(id: string, files: readonly File[], onEach?: (done: number) => void) {
  let done = 0;
  for (const f of files) {
    const blob = await shrinkPhoto(f);
    const form = new FormData();
    form.append('file', blob, photoName(f, blob));
    await upload('/api/v1/service-orders/{id}/photos', { params: { id }, body: form });
    onEach?.(++done);
  }
}

/** The camera input: on a phone it opens the back camera; several photos at once. */
export function PhotoInput({ onFiles, testId }: { onFiles: (files: File[]) => void; testId: string }) {
  const { t } = useTranslation();
  return (
    <div>
      <label htmlFor={testId} style={{ display: 'block', fontSize: 'var(--mantine-font-size-sm)', fontWeight: 500 }}>{t('workshop.addPhotos')}</label>
      <input
        id={testId}
        data-testid={testId}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        onChange={(e) => {
          const list = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (list.length) onFiles(list);
        }}
        style={{ maxWidth: '100%' }}
      />
    </div>
  );
}

/** The order's intake photos as thumbnails (each opens the photo), and the camera input to add more. */
function Photos({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery(photosQuery(id));
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const add = useMutation({
    mutationFn: (files: File[]) => {
      setProgress({ done: 0, total: files.length });
      return uploadPhotos(id, files, (done) => setProgress({ done, total: files.length }));
    },
    onSettled: () => {
      setProgress(null);
      void qc.invalidateQueries({ queryKey: ['service-orders', 'photos', id] });
    },
  });
  const items = s.data?.items ?? [];
  return (
    <div data-testid="photos">
      <Text fw={600} size="sm">{t('workshop.photos')}</Text>
      <Text size="xs" c="dark.5">{t('workshop.photosHint')}</Text>
      {items.length > 0 ? (
        <SimpleGrid cols={{ base: 3, sm: 5 }} spacing={6} my={6}>
          {items.map((p, i) => (
            <Anchor key={p.id} href={p.url} target="_blank" data-testid="photo-thumb">
              <img src={p.url} alt={t('workshop.photoAlt', { n: i + 1, name: p.filename })} width={96} height={96} loading="lazy" style={{ objectFit: 'cover', width: '100%', height: 'auto', aspectRatio: '1', borderRadius: 4, display: 'block' }} />
            </Anchor>
          ))}
        </SimpleGrid>
      ) : (
        <Text size="sm" my={4}>{t('workshop.noPhotos')}</Text>
      )}
      <PhotoInput testId={`photo-input-${id}`} onFiles={(f) => add.mutate(f)} />
      {progress && <Text size="sm" role="status">{t('workshop.uploadingPhotos', { done: progress.done, total: progress.total })}</Text>}
      <ErrorNote error={add.error ?? s.error} />
    </div>
  );
}

function Notes({ w, onDone }: { w: W; onDone: () => void }) {
  const { t } = useTranslation();
  const [body, setBody] = useState('');
  const add = useMutation({
    mutationFn: (b: string) => ok(api.POST('/api/v1/service-orders/{id}/notes', { params: { path: { id: w.orderId } }, headers: { 'idempotency-key': idemKey() }, body: { body: b } })),
    onSuccess: () => {
      setBody('');
      onDone();
    },
  });
  return (
    <div data-testid="notes">
      <Text fw={600} size="sm">{t('workshop.notes')}</Text>
      <Text size="xs" c="dark.5">{t('workshop.notesHint')}</Text>
      <List size="sm" spacing={2} my={4}>
        {w.notes.map((n) => <List.Item key={n.id}><Text span size="xs" c="dark.5">{fmtDateTime(n.at)} · {n.byName}</Text><br /><span style={{ whiteSpace: 'pre-wrap' }}>{n.body}</span></List.Item>)}
      </List>
      <form onSubmit={(e) => { e.preventDefault(); add.mutate(body); }} aria-label={t('workshop.addNote')}>
        <Textarea label={t('workshop.note')} value={body} onChange={(e) => setBody(e.currentTarget.value)} autosize minRows={1} />
        <ErrorNote error={add.error} />
        <Button type="submit" variant="light" size="xs" mt={4} loading={add.isPending}>{t('workshop.addNote')}</Button>
      </form>
    </div>
  );
}

/** "Message the client": by the order's channel, with the order page's link; the messages list below shows it. */
export function MessageClient({ id }: { id: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const channel = useQuery(workshopQuery(id)).data?.contactChannel ?? 'email';
  const [text, setText] = useState('');
  const send = useMutation({
    mutationFn: (b: string) => ok(api.POST('/api/v1/service-orders/{id}/messages', { params: { path: { id } }, headers: { 'idempotency-key': idemKey() }, body: { text: b } })),
    onSuccess: () => {
      setText('');
      void invalidateOrder(qc);
    },
  });
  return (
    <form onSubmit={(e) => { e.preventDefault(); send.mutate(text); }} aria-label={t('workshop.message')} data-testid="message-client">
      <Textarea label={t('workshop.message')} description={t('workshop.messageHint', { channel: t(`workshop.ch.${channel === 'sms' ? 'sms' : 'email'}`) })} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} maxLength={1000} />
      <ErrorNote error={send.error} />
      <Group mt={4} gap="xs">
        <Button type="submit" size="xs" loading={send.isPending} data-testid="send-message">{t('workshop.send')}</Button>
        {send.isSuccess && <Text size="sm" c="teal.9" role="status">{t('workshop.sent')}</Text>}
      </Group>
    </form>
  );
}


/** What the front desk gives at intake beside the work order: sent with the claim itself (one request, one transaction). */
type Result = W['precheck'][number]['result'];

/**
 * The pre-check list: each item's name above its three results, the buttons as wide as the card
 * (side by side they overflowed a 390 px screen in Bulgarian: "Непроверено").
 */
function Precheck({ testId, items, value, onChange }: { testId: string; items: string[]; value: Record<string, Result | undefined>; onChange: (code: string, r: Result) => void }) {
  const { t } = useTranslation();
  return (
    <Stack gap={8} data-testid={testId}>
      {items.map((code) => (
        <div key={code} data-testid="precheck-item">
          <Text size="sm" mb={2}>{t(`workshop.item.${code}`, code)}</Text>
          <SegmentedControl size="xs" fullWidth aria-label={t(`workshop.item.${code}`, code)} value={value[code] ?? 'not-checked'} onChange={(v) => onChange(code, v as Result)} data={(['ok', 'fault', 'not-checked'] as const).map((r) => ({ value: r, label: t(`workshop.result.${r}`) }))} />
        </div>
      ))}
    </Stack>
  );
}
export type IntakeWorkshop = { technicianId: string; promisedOn: string; priority: 'low' | 'normal' | 'high' | 'urgent'; contactChannel: 'email' | 'sms'; passcode: string; unlockPattern: string; precheck: Record<string, Result>; note: string };
export const emptyIntakeWorkshop = (): IntakeWorkshop => ({ technicianId: '', promisedOn: '', priority: 'normal', contactChannel: 'email', passcode: '', unlockPattern: '', precheck: {}, note: '' });

export function IntakeWorkshopFields({ value, onChange, category }: { value: IntakeWorkshop; onChange: (v: IntakeWorkshop) => void; category: string }) {
  const { t } = useTranslation();
  const options = useQuery({
    queryKey: ['workshop', 'intake-options', category] as const,
    queryFn: ({ signal }) => ok(api.GET('/api/v1/workshop/intake-options', { params: { query: category ? { category } : {} }, signal })),
  });
  const set = <K extends keyof IntakeWorkshop>(k: K) => (v: IntakeWorkshop[K] | null) => v !== null && onChange({ ...value, [k]: v });
  return (
    <Card withBorder data-testid="intake-workshop" mt="xs">
      <Title order={2} size="h5">{t('workshop.intake')}</Title>
      <Text size="xs" c="dark.5" mb={4}>{t('workshop.intakeHint')}</Text>
      <Group grow align="flex-end" wrap="wrap">
        <Select label={t('workshop.technician')} data={[{ value: '', label: t('workshop.unassigned') }, ...(options.data?.assignable ?? []).map((s) => ({ value: s.id, label: `${s.name} (${t(`role.${s.role}`, s.role)})` }))]} value={value.technicianId} onChange={set('technicianId')} allowDeselect={false} miw={160} data-testid="intake-technician" />
        <Select label={t('workshop.priority')} data={['low', 'normal', 'high', 'urgent'].map((p) => ({ value: p, label: t(`workshop.prio.${p}`) }))} value={value.priority} onChange={(v) => set('priority')(v as IntakeWorkshop['priority'] | null)} allowDeselect={false} miw={120} />
      </Group>
      <Group grow align="flex-end" wrap="wrap" mt={4}>
        <TextInput type="date" label={t('workshop.promisedOn')} value={value.promisedOn} onChange={(e) => set('promisedOn')(e.currentTarget.value)} miw={160} />
        <Select label={t('workshop.channel')} data={['email', 'sms'].map((c) => ({ value: c, label: t(`workshop.ch.${c}`) }))} value={value.contactChannel} onChange={(v) => set('contactChannel')(v as IntakeWorkshop['contactChannel'] | null)} allowDeselect={false} miw={120} />
      </Group>
      <Group grow align="flex-end" wrap="wrap" mt={4}>
        <TextInput label={t('workshop.passcode')} value={value.passcode} onChange={(e) => set('passcode')(e.currentTarget.value)} autoComplete="off" miw={160} />
        <TextInput label={t('workshop.unlockPattern')} value={value.unlockPattern} onChange={(e) => set('unlockPattern')(e.currentTarget.value)} autoComplete="off" placeholder="1-5-9-6" miw={160} />
      </Group>
      <Text size="xs" c="dark.5" mt={2}>{t('workshop.passcodeHint')}</Text>
      {options.data && (
        <>
          <Text fw={600} size="sm" mt="xs">{t('workshop.precheck')}</Text>
          <Precheck testId="intake-precheck" items={options.data.precheck} value={value.precheck} onChange={(code, r) => onChange({ ...value, precheck: { ...value.precheck, [code]: r } })} />
        </>
      )}
      <Textarea label={t('workshop.note')} description={t('workshop.notesHint')} value={value.note} onChange={(e) => set('note')(e.currentTarget.value)} autosize minRows={1} mt={4} />
      <ErrorNote error={options.error} />
    </Card>
  );
}

/** The intake's workshop card as the claim carries it (`workshop`): only what was given; the pre-check items of this category. */
export function intakeWorkshopBody(w: IntakeWorkshop, items: readonly string[] | undefined) {
  const precheck = Object.fromEntries(Object.entries(w.precheck).filter(([k, v]) => v !== 'not-checked' && (!items || items.includes(k))));
  return {
    priority: w.priority,
    contactChannel: w.contactChannel,
    ...(w.technicianId ? { technicianId: w.technicianId } : {}),
    ...(w.promisedOn ? { promisedOn: w.promisedOn } : {}),
    ...(w.passcode ? { passcode: w.passcode } : {}),
    ...(w.unlockPattern ? { unlockPattern: w.unlockPattern } : {}),
    ...(Object.keys(precheck).length ? { precheck } : {}),
    ...(w.note.trim() ? { note: w.note.trim() } : {}),
  };
}

/** Labels and tickets for label and receipt printers (issue 16): the device label and the client's 80 mm ticket. */
export function PrintLabels({ id, lang }: { id: string; lang: string }) {
  const { t } = useTranslation();
  const href = (doc: string, q = '') => `/api/v1/service-orders/${id}/documents/${doc}?lang=${lang}${q}`;
  return (
    <List data-testid="labels">
      <List.Item><Anchor href={href('label.pdf', '&size=62mm')} target="_blank" data-testid="label-62mm">{t('workshop.label62')}</Anchor></List.Item>
      <List.Item><Anchor href={href('label.pdf', '&size=4x6in')} target="_blank" data-testid="label-4x6">{t('workshop.label4x6')}</Anchor></List.Item>
      <List.Item><Anchor href={href('ticket-80mm.pdf')} target="_blank" data-testid="ticket-80mm">{t('workshop.ticket80')}</Anchor></List.Item>
    </List>
  );
}
