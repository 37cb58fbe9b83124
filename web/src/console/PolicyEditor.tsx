// The policy editor (issue 11, owners and managers): the business's own policy as forms, a draft
// validated on the field by the server (the checks of `aftercare policy validate`), the simulator,
// publishing a version (ITS-11), the versions with their differences, YAML export and import.
// The forms follow the policy's own data: every part of a version (terms, parts, exclusions,
// remedies, fees, clocks, calendar, categories, rule texts, ...) is shown and edited where it is.
import { Alert, Anchor, Badge, Button, Card, Checkbox, Code, Group, NumberInput, Select, SimpleGrid, Stack, Table, Tabs, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idemKey, ok, type Reply } from '../lib/api';
import { fmtDate } from '../lib/i18n';
import { ErrorNote, Loaded } from '../lib/ui';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Obj = { [k: string]: Json };
type Draft = Reply<'/api/v1/policy/draft'>;
type Simulation = Reply<'/api/v1/policy/draft/simulate', 'post'>;

const qk = { draft: ['policy', 'draft'] as const, versions: ['policy', 'versions'] as const };
const LANGS = ['en', 'bg', 'vi'];
/** Values the engine knows by name: offered as choices. */
const CHOICES: Record<string, string[]> = {
  kind: ['device', 'service', 'part'],
  condition: ['new', 'refurbished', 'used', 'discounted'],
  mode: ['business', '24/7'],
  'remedies.type': ['repair', 'replacement', 'advance-replacement', 'credit', 'replacement-other-model', 'buy-back'],
  'afterExpiry.type': ['extension-offer', 'paid-repair', 'paid-support'],
  'clocks.kind': ['deadline', 'earliest', 'target'],
  'clocks.collection': ['dispose', 'liability-ends'],
  effect: ['not-covered', 'void', 'paid'],
  servedBy: ['business', 'manufacturer'],
  chosenBy: ['business', 'consumer'],
  inbound: ['client', 'business'],
  outbound: ['client', 'business'],
};
/**
 * What the editor can add where the policy has none (a blank policy, a pack without part terms or
 * fees): a fresh entry of a list, an entry keyed by a name the user gives (a category, a rule id),
 * an optional entry of a fixed set (fees). Empty values are for the user to fill; saving validates
 * them as `policy validate` does, on the field. A value the business adds is its own setting.
 */
const NEW_ENTRY: Record<string, () => Json> = {
  remedies: () => ({ type: 'repair', rule: '', chosenBy: 'business', requiresConfirmedDefect: false, text: { en: '' } }),
  clocks: () => ({ id: '', rule: '', kind: 'deadline', duration: '', startsAt: 'claim-received', stopsAt: 'repair-completed', text: { en: '' }, setting: true }),
  exclusions: () => ({ finding: '', rule: '', effect: 'not-covered', text: { en: '' } }),
  notCovered: () => ({ categories: [], rule: '', text: { en: '' } }),
  afterExpiry: () => ({ type: 'paid-repair', rule: '', text: { en: '' } }),
};
const NEW_KEYED: Record<string, () => Json> = {
  parts: () => ({ duration: '', rule: '', setting: true }),
  categories: () => ({ names: { en: '' }, synonyms: [] }),
  rules: () => ({ en: '' }),
};
const NEW_NAMED: Record<string, Record<string, () => Json>> = {
  fees: {
    diagnosis: () => ({ amount: 0, rules: [], text: { en: '' }, setting: true }),
    transport: () => ({ amount: 0, rules: [], text: { en: '' }, setting: true }),
    freight: () => ({ inbound: 'client', outbound: 'business', rule: '' }),
    tariff: () => ({ rules: [], text: { en: '' } }),
    freeOfCharge: () => '',
  },
};
/** Sections a policy may lack, as they start when added. */
const NEW_SECTION: Record<string, () => Json> = {
  parts: () => ({}),
  fees: () => ({}),
  remedies: () => [],
  clocks: () => [],
  exclusions: () => [],
  notCovered: () => [],
  afterExpiry: () => [],
  categories: () => ({}),
};
const isTexts = (v: Json): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v) && 'en' in v && Object.keys(v).every((k) => LANGS.includes(k));
const today = () => new Date().toISOString().slice(0, 10);

export function PolicyEditorPage() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Title order={1} size="h2">{t('policy.title')}</Title>
      <Text size="sm" c="dimmed">{t('policy.intro')}</Text>
      <Tabs defaultValue="draft" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="draft" data-testid="tab-draft">{t('policy.draft')}</Tabs.Tab>
          <Tabs.Tab value="publish" data-testid="tab-publish">{t('policy.simulatePublish')}</Tabs.Tab>
          <Tabs.Tab value="versions" data-testid="tab-versions">{t('policy.versions')}</Tabs.Tab>
          <Tabs.Tab value="yaml" data-testid="tab-yaml">{t('policy.yaml')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="draft" pt="md"><DraftEditor /></Tabs.Panel>
        <Tabs.Panel value="publish" pt="md"><SimulatePublish /></Tabs.Panel>
        <Tabs.Panel value="versions" pt="md"><Versions /></Tabs.Panel>
        <Tabs.Panel value="yaml" pt="md"><Yaml /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

const draftQuery = () => ({ queryKey: qk.draft, queryFn: ({ signal }: { signal: AbortSignal }) => ok(api.GET('/api/v1/policy/draft', { signal })) });

function DraftEditor() {
  const s = useQuery(draftQuery());
  // The form starts afresh from each saved (or imported) draft; "saved" is said above it.
  const [saved, setSaved] = useState<number>();
  return <Loaded s={s}>{(d) => <DraftForm key={`${d.version}`} draft={d} saved={saved === d.version} onSaved={setSaved} />}</Loaded>;
}

interface Ctx {
  errors: Map<string, string>;
  settings: Set<string>;
  set: (path: string[], v: Json) => void;
}

function DraftForm({ draft, saved, onSaved }: { draft: Draft; saved: boolean; onSaved: (version: number) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [body, setBody] = useState<Obj>(draft.body as Obj);
  const [dirty, setDirty] = useState(false);
  const save = useMutation({
    mutationFn: () => ok(api.PUT('/api/v1/policy/draft', { body: { version: draft.version, body } })),
    onSuccess: (d) => {
      setDirty(false);
      onSaved(d.version);
      qc.setQueryData(qk.draft, d);
      void qc.invalidateQueries({ queryKey: qk.versions });
    },
  });
  const discard = useMutation({ mutationFn: () => ok(api.DELETE('/api/v1/policy/draft')), onSuccess: () => qc.invalidateQueries({ queryKey: qk.draft }) });
  const errors = new Map<string, string>();
  if (save.error instanceof ApiError) for (const e of save.error.problem?.errors ?? []) errors.set(e.field.replace(/^body\.body\./, 'body.').replace(/^body\./, ''), e.message);
  const ctx: Ctx = {
    errors,
    settings: new Set(draft.settings),
    set: (path, v) => {
      setDirty(true);
      setBody((b) => setIn(b, path, v) as Obj);
    },
  };
  const sections = Object.keys(body);
  return (
    <Stack>
      <Group>
        <Badge color={draft.version ? 'orange' : 'gray'} data-testid="draft-state">{draft.version ? t('policy.draftSaved', { version: draft.version }) : t('policy.noDraft')}</Badge>
        <Text size="sm" c="dimmed">{t('policy.settingNote')} <Badge size="xs" color="grape">{t('policy.setting')}</Badge></Text>
      </Group>
      <Calendar body={body} ctx={ctx} />
      {sections.map((k) => (
        <Card key={k} withBorder data-section={k}>
          <Title order={2} size="h4" mb="xs">{label(t, k)}</Title>
          <Value path={[k]} value={body[k]} ctx={ctx} />
        </Card>
      ))}
      <AddSection body={body} ctx={ctx} />
      <ErrorNote error={save.error} />
      {(save.isSuccess || saved) && !dirty && <Alert color="teal" data-testid="draft-saved">{t('policy.savedOk')}</Alert>}
      <Group className="sticky-actions">
        <Button onClick={() => save.mutate()} loading={save.isPending} data-testid="save-draft">{t('policy.saveDraft')}</Button>
        {draft.version > 0 && <Button variant="default" onClick={() => discard.mutate()}>{t('policy.discard')}</Button>}
      </Group>
    </Stack>
  );
}

function setIn(x: Json, path: string[], v: Json): Json {
  if (!path.length) return v;
  const [k, ...rest] = path;
  if (Array.isArray(x)) {
    const copy = [...x];
    const i = Number(k);
    if (rest.length === 0 && v === undefined) copy.splice(i, 1);
    else copy[i] = setIn(copy[i] ?? null, rest, v);
    return copy;
  }
  const o = { ...((x ?? {}) as Obj) };
  if (rest.length === 0 && v === undefined) delete o[k];
  else o[k] = setIn(o[k] ?? null, rest, v);
  return o;
}

const humanize = (k: string) => k.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
function label(t: (k: string, o?: Record<string, unknown>) => string, k: string) {
  const key = `policy.key.${k}`;
  const s = t(key);
  return s === key ? humanize(k) : s;
}

/** One value of the policy as a form: texts per language, choices, durations, lists, nested parts. */
function Value({ path, value, ctx }: { path: string[]; value: Json; ctx: Ctx }): ReactNode {
  const { t } = useTranslation();
  const p = path.join('.');
  const err = ctx.errors.get(p);
  const key = path[path.length - 1];
  const name = /^\d+$/.test(key) ? `#${Number(key) + 1}` : label(t, key);
  const testid = `field-${p}`;
  if (isTexts(value)) {
    return (
      <SimpleGrid cols={{ base: 1, md: 3 }} spacing="xs">
        {LANGS.map((l) => (
          <Textarea key={l} autosize minRows={1} label={`${name} (${l.toUpperCase()})`} value={(value[l] as string) ?? ''} error={ctx.errors.get(`${p}.${l}`)} data-testid={`${testid}.${l}`}
            onChange={(e) => { const v = e.currentTarget.value; ctx.set([...path, l], v === '' && l !== 'en' ? (undefined as unknown as Json) : v); }} />
        ))}
      </SimpleGrid>
    );
  }
  if (Array.isArray(value)) {
    const fresh = path.length === 1 ? NEW_ENTRY[key] : undefined;
    if (!fresh && value.every((x) => typeof x !== 'object' || x === null)) {
      const numbers = value.length > 0 && value.every((x) => typeof x === 'number');
      return (
        <TextInput label={name} description={t('policy.commaList')} value={value.join(', ')} error={err ?? childError(ctx, p)} data-testid={testid}
          onChange={(e) => {
            const parts = e.currentTarget.value.split(',').map((x) => x.trim()).filter(Boolean);
            ctx.set(path, numbers ? parts.map((x) => (/^\d+$/.test(x) ? Number(x) : x)) : parts);
          }} />
      );
    }
    return (
      <Stack gap="xs">
        {value.map((item, i) => (
          <Card key={i} withBorder padding="xs" data-item={`${p}.${i}`}>
            <Group justify="space-between" mb={4}>
              <Text fw={600} size="sm">{name} {i + 1}{itemTitle(item)}</Text>
              <Group gap={4}>
                {item && typeof item === 'object' && (item as Obj).setting === true && <Badge size="xs" color="grape">{t('policy.setting')}</Badge>}
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => ctx.set([...path, String(i)], undefined as unknown as Json)}>{t('policy.remove')}</Button>
              </Group>
            </Group>
            <Value path={[...path, String(i)]} value={item} ctx={ctx} />
          </Card>
        ))}
        <Group gap="xs">
          {value.length > 0 && (
            <Button size="xs" variant="light" onClick={() => ctx.set([...path, String(value.length)], structuredClone(value[value.length - 1]))}>{t('policy.addLike')}</Button>
          )}
          {fresh && (
            <Button size="xs" variant="light" onClick={() => ctx.set([...path, String(value.length)], fresh())} data-testid={`add-${p}`}>{t('policy.addNew')}</Button>
          )}
        </Group>
        {err && <Text c="red" size="sm">{err}</Text>}
      </Stack>
    );
  }
  if (value && typeof value === 'object') {
    const obj = value as Obj;
    const mark = ctx.settings.has(p) || obj.setting === true;
    return (
      <Stack gap={6} pl={path.length > 1 ? 'sm' : 0} style={path.length > 1 ? { borderLeft: '2px solid var(--mantine-color-gray-3)' } : undefined}>
        {mark && <Badge size="xs" color="grape">{t('policy.setting')}</Badge>}
        {Object.entries(obj).map(([k, v]) => (
          <div key={k}>
            <Group gap="xs" justify="space-between" wrap="nowrap">
              {v && typeof v === 'object' && !isTexts(v) && !(Array.isArray(v) && v.every((x) => typeof x !== 'object')) ? <Text size="sm" fw={600} style={{ overflowWrap: 'anywhere' }}>{path.length === 1 && NEW_KEYED[key] ? k : label(t, k)}</Text> : <span />}
              {path.length === 1 && (NEW_KEYED[key] || NEW_NAMED[key]) && (
                <Button size="compact-xs" variant="subtle" color="red" onClick={() => ctx.set([...path, k], undefined as unknown as Json)}>{t('policy.remove')}</Button>
              )}
            </Group>
            <Value path={[...path, k]} value={v} ctx={ctx} />
          </div>
        ))}
        {path.length === 1 && NEW_KEYED[key] && <AddKeyed section={key} have={Object.keys(obj)} ctx={ctx} />}
        {path.length === 1 && NEW_NAMED[key] && <AddNamed section={key} have={Object.keys(obj)} ctx={ctx} />}
        {err && <Text c="red" size="sm">{err}</Text>}
      </Stack>
    );
  }
  if (typeof value === 'boolean') return <Checkbox label={name} checked={value} onChange={(e) => ctx.set(path, e.currentTarget.checked)} data-testid={testid} error={err} />;
  if (typeof value === 'number') return <NumberInput label={name} value={value} onChange={(v) => ctx.set(path, typeof v === 'number' ? v : Number(v) || 0)} error={err} data-testid={testid} />;
  const choices = CHOICES[`${path[0]}.${key}`] ?? CHOICES[key];
  if (choices) return <Select label={name} data={choices.map((c) => ({ value: c, label: t(`policy.choice.${c}`, c) }))} value={String(value)} onChange={(v) => v && ctx.set(path, v)} error={err} data-testid={testid} allowDeselect={false} />;
  return <TextInput label={name} value={value === null ? '' : String(value)} onChange={(e) => ctx.set(path, e.currentTarget.value)} error={err} data-testid={testid} />;
}

/** A new entry of a section keyed by a name the user gives: a part term's category, a category's code, a rule id. */
function AddKeyed({ section, have, ctx }: { section: string; have: string[]; ctx: Ctx }) {
  const { t } = useTranslation();
  const [name, setName] = useState('');
  const k = name.trim();
  return (
    <Group align="flex-end" gap="xs" wrap="wrap">
      <TextInput label={t(`policy.newKey.${section}`)} description={t(`policy.newKeyHint.${section}`)} value={name} onChange={(e) => setName(e.currentTarget.value)} data-testid={`new-${section}`} style={{ flex: '1 1 12rem' }}
        error={have.includes(k) ? t('policy.keyTaken') : undefined} />
      <Button size="xs" variant="light" disabled={!k || have.includes(k)} onClick={() => { ctx.set([section, k], NEW_KEYED[section]!()); setName(''); }} data-testid={`add-${section}`}>{t('policy.addNew')}</Button>
    </Group>
  );
}

/** A new optional entry of a section with a fixed set of them (a fee). */
function AddNamed({ section, have, ctx }: { section: string; have: string[]; ctx: Ctx }) {
  const { t } = useTranslation();
  const free = Object.keys(NEW_NAMED[section]!).filter((k) => !have.includes(k));
  const [pick, setPick] = useState<string | null>(null);
  if (!free.length) return null;
  return (
    <Group align="flex-end" gap="xs" wrap="wrap">
      <Select label={t(`policy.newNamed.${section}`)} data={free.map((k) => ({ value: k, label: label(t, k) }))} value={pick} onChange={setPick} data-testid={`new-${section}`} style={{ flex: '1 1 12rem' }} />
      <Button size="xs" variant="light" disabled={!pick} onClick={() => { ctx.set([section, pick!], NEW_NAMED[section]![pick!]!()); setPick(null); }} data-testid={`add-${section}`}>{t('policy.addNew')}</Button>
    </Group>
  );
}

/** A section the policy lacks (a blank policy has no remedies; a pack may have no part terms). */
function AddSection({ body, ctx }: { body: Obj; ctx: Ctx }) {
  const { t } = useTranslation();
  const missing = Object.keys(NEW_SECTION).filter((k) => !(k in body));
  const [pick, setPick] = useState<string | null>(null);
  if (!missing.length) return null;
  return (
    <Card withBorder data-testid="add-section">
      <Group align="flex-end" gap="xs" wrap="wrap">
        <Select label={t('policy.addSection')} data={missing.map((k) => ({ value: k, label: label(t, k) }))} value={pick} onChange={setPick} data-testid="new-section" style={{ flex: '1 1 14rem' }} />
        <Button size="xs" variant="light" disabled={!pick} onClick={() => { ctx.set([pick!], NEW_SECTION[pick!]!()); setPick(null); }} data-testid="add-section-button">{t('policy.addNew')}</Button>
      </Group>
    </Card>
  );
}

const childError = (ctx: Ctx, p: string) => [...ctx.errors].find(([k]) => k.startsWith(`${p}.`))?.[1];
function itemTitle(item: Json): string {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return '';
  const o = item as Obj;
  const bits = [o.id, o.finding, o.type, o.rule, o.duration, o.match && typeof o.match === 'object' ? Object.values(o.match as Obj).flat().join(' ') : undefined].filter((x) => typeof x === 'string' && x);
  return bits.length ? ` — ${bits.join(' · ')}` : '';
}

/** The calendar: working days or 24/7, the national holidays date-holidays knows for the country, the business's own days off. */
function Calendar({ body, ctx }: { body: Obj; ctx: Ctx }) {
  const { t, i18n } = useTranslation();
  const cal = ((body.settings as Obj | undefined)?.calendar ?? {}) as Obj;
  const hol = (cal.holidays ?? {}) as Obj;
  const country = (hol.country as string | undefined) ?? '';
  const year = Number(today().slice(0, 4));
  const h = useQuery({
    queryKey: ['policy', 'holidays', country, year, i18n.language],
    enabled: /^[A-Za-z]{2}$/.test(country),
    queryFn: ({ signal }) => ok(api.GET('/api/v1/policy/holidays', { params: { query: { country, year, lang: i18n.language as 'en' } }, signal })),
  });
  const own = ((hol.dates as string[] | undefined) ?? []).join(', ');
  const base = ['settings', 'calendar'];
  return (
    <Card withBorder data-section="calendar">
      <Title order={2} size="h4" mb="xs">{t('policy.calendar')}</Title>
      <SimpleGrid cols={{ base: 1, md: 3 }}>
        <Select label={t('policy.key.mode')} data={[{ value: 'business', label: t('policy.businessDays') }, { value: '24/7', label: '24/7' }]} value={(cal.mode as string) ?? 'business'} onChange={(v) => v && ctx.set([...base, 'mode'], v)} allowDeselect={false} data-testid="calendar-mode" />
        <TextInput label={t('policy.holidayCountry')} value={country} onChange={(e) => ctx.set([...base, 'holidays', 'country'], e.currentTarget.value.toUpperCase())} data-testid="holiday-country" />
        <TextInput label={t('policy.ownDaysOff')} description={t('policy.datesHint')} value={own} error={childError(ctx, 'settings.calendar.holidays.dates')} data-testid="own-days-off"
          onChange={(e) => ctx.set([...base, 'holidays', 'dates'], e.currentTarget.value.split(',').map((x) => x.trim()).filter(Boolean))} />
      </SimpleGrid>
      {h.data && (
        <Text size="sm" mt="xs" data-testid="national-holidays">
          {t('policy.nationalHolidays', { country, year })}: {h.data.items.map((x) => `${fmtDate(x.date)} ${x.name}`).join(' · ')}
        </Text>
      )}
    </Card>
  );
}

function SimulatePublish() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const d = useQuery(draftQuery());
  const [effective, setEffective] = useState(today());
  const [existing, setExisting] = useState(true);
  const [kind, setKind] = useState<string | null>(null);
  const sim = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/policy/draft/simulate', { body: { effective, appliesToExisting: existing }, params: { query: { limit: 200, ...(kind ? { kind: kind as 'end-moved' } : {}) } } })),
  });
  const pub = useMutation({
    mutationFn: (draftVersion: number) => ok(api.POST('/api/v1/policy/publish', { body: { draftVersion, effective, appliesToExisting: existing }, headers: { 'idempotency-key': idemKey() } })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['policy'] });
      void qc.invalidateQueries({ queryKey: ['policy-pack'] });
    },
  });
  const pubField = pub.error instanceof ApiError ? pub.error.field('effective') : undefined;
  return (
    <Loaded s={d}>
      {(draft) => (
        <Stack>
          {draft.version === 0 && <Alert color="gray">{t('policy.noDraftHint')}</Alert>}
          <Group align="flex-end">
            <TextInput type="date" label={t('policy.effective')} value={effective} onChange={(e) => setEffective(e.currentTarget.value)} error={pubField} data-testid="effective" />
            <Checkbox label={t('policy.appliesToExisting')} checked={existing} onChange={(e) => setExisting(e.currentTarget.checked)} data-testid="applies-existing" />
            <Button onClick={() => sim.mutate()} disabled={draft.version === 0} loading={sim.isPending} data-testid="simulate">{t('policy.simulate')}</Button>
            <Button color="teal" onClick={() => pub.mutate(draft.version)} disabled={draft.version === 0} loading={pub.isPending} data-testid="publish">{t('policy.publish')}</Button>
          </Group>
          <Text size="sm" c="dimmed">{t('policy.its11')}</Text>
          <ErrorNote error={sim.error ?? pub.error} />
          {pub.data && (
            <Alert color="teal" data-testid="published">{t('policy.publishedOk', { label: pub.data.version.label, date: fmtDate(pub.data.version.effective), count: pub.data.notified })}</Alert>
          )}
          {sim.data && <SimulationView s={sim.data} kind={kind} setKind={(k) => { setKind(k); setTimeout(() => sim.mutate(), 0); }} />}
        </Stack>
      )}
    </Loaded>
  );
}

function SimulationView({ s, kind, setKind }: { s: Simulation; kind: string | null; setKind: (k: string | null) => void }) {
  const { t } = useTranslation();
  const d = s.devices;
  const o = s.orders;
  const end = (x: string | null) => (x ? fmtDate(x) : '—');
  return (
    <Stack data-testid="simulation">
      <SimpleGrid cols={{ base: 2, md: 4 }}>
        {[
          ['simulated', d.simulated],
          ['changed', d.changed],
          ['endMoved', d.endMoved],
          ['nowCovered', d.nowCovered],
          ['nowNotCovered', d.nowNotCovered],
          ['partCards', d.partCards],
          ['ordersChanged', o.changed],
          ['deadlinesMoved', o.deadlinesMoved],
        ].map(([k, n]) => (
          <Card key={k} withBorder padding="xs" data-count={k}>
            <Text size="xs" c="dimmed">{t(`policy.sim.${k}`)}</Text>
            <Text fw={700} size="xl">{n}</Text>
          </Card>
        ))}
      </SimpleGrid>
      <Select label={t('policy.sim.filter')} clearable value={kind} onChange={setKind} data={['end-moved', 'now-covered', 'now-not-covered', 'part-card', 'cannot-evaluate'].map((k) => ({ value: k, label: t(`policy.kind.${k}`) }))} style={{ maxWidth: 320 }} />
      <Table.ScrollContainer minWidth={600}>
        <Table>
          <Table.Thead><Table.Tr><Table.Th>{t('policy.sim.device')}</Table.Th><Table.Th>{t('policy.sim.change')}</Table.Th><Table.Th>{t('policy.sim.before')}</Table.Th><Table.Th>{t('policy.sim.after')}</Table.Th><Table.Th>{t('policy.sim.reasons')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {s.deviceChanges.map((c) => (
              <Table.Tr key={c.deviceId} data-serial={c.serial}>
                <Table.Td><Anchor href={`/devices/${c.deviceId}`}>{c.serial}</Anchor></Table.Td>
                <Table.Td>{c.kinds.map((k) => <Badge key={k} size="xs" mr={4}>{t(`policy.kind.${k}`)}</Badge>)}</Table.Td>
                <Table.Td>{c.before.covered ? '✓' : '✗'} {end(c.before.end)}</Table.Td>
                <Table.Td>{c.after.covered ? '✓' : '✗'} {end(c.after.end)}</Table.Td>
                <Table.Td><Text size="xs">{c.reasons.slice(0, 3).map((r) => r.rule).join(', ')}</Text></Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      {s.total.deviceChanges > s.deviceChanges.length && <Text size="sm">{t('policy.sim.more', { shown: s.deviceChanges.length, total: s.total.deviceChanges })}</Text>}
      {s.orderChanges.length > 0 && (
        <Table.ScrollContainer minWidth={420}>
        <Table>
          <Table.Thead><Table.Tr><Table.Th>{t('policy.sim.order')}</Table.Th><Table.Th>{t('policy.sim.change')}</Table.Th></Table.Tr></Table.Thead>
          <Table.Tbody>
            {s.orderChanges.map((c) => (
              <Table.Tr key={c.orderId}>
                <Table.Td><Anchor href={`/orders/${c.orderId}`}>{c.number}</Anchor></Table.Td>
                <Table.Td>
                  {c.decision && <Text size="sm">{c.decision.before} → {c.decision.after}</Text>}
                  {c.deadlines.map((x) => <Text key={x.clock} size="sm">{x.clock}: {x.before ?? '—'} → {x.after ?? '—'}</Text>)}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        </Table.ScrollContainer>
      )}
    </Stack>
  );
}

function Versions() {
  const { t } = useTranslation();
  const s = useQuery({ queryKey: qk.versions, queryFn: ({ signal }) => ok(api.GET('/api/v1/policy/versions', { signal })) });
  const [open, setOpen] = useState<number | null>(null);
  const diff = useQuery({
    queryKey: ['policy', 'diff', open],
    enabled: open !== null,
    queryFn: ({ signal }) => ok(api.GET('/api/v1/policy/versions/{seq}/diff', { params: { path: { seq: open! } }, signal })),
  });
  return (
    <Loaded s={s}>
      {(v) => (
        <Stack>
          <Table.ScrollContainer minWidth={560}>
          <Table data-testid="versions">
              <Table.Thead><Table.Tr><Table.Th>#</Table.Th><Table.Th>{t('policy.version')}</Table.Th><Table.Th>{t('policy.effective')}</Table.Th><Table.Th>{t('policy.scope')}</Table.Th><Table.Th>{t('policy.publishedBy')}</Table.Th><Table.Th /></Table.Tr></Table.Thead>
              <Table.Tbody>
                {v.items.map((x) => (
                  <Table.Tr key={x.seq} data-seq={x.seq}>
                    <Table.Td>{x.seq}</Table.Td>
                    <Table.Td><Code>{x.label}</Code> {x.inForce && <Badge size="xs" color="teal">{t('policy.inForce')}</Badge>}</Table.Td>
                    <Table.Td>{fmtDate(x.effective)}</Table.Td>
                    <Table.Td>{x.appliesToExisting ? t('policy.alsoExisting') : t('policy.newOnly')}</Table.Td>
                    <Table.Td>{x.publishedBy ?? x.origin}</Table.Td>
                    <Table.Td><Group gap={4}><Button size="compact-xs" variant="light" onClick={() => setOpen(x.seq)}>{t('policy.diff')}</Button><Anchor size="xs" href={`/api/v1/policy/export?seq=${x.seq}`}>YAML</Anchor></Group></Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
          {open !== null && (
            <Loaded s={diff}>
              {(d) => (
                <Card withBorder data-testid="diff">
                  <Title order={3} size="h5">{d.from ? t('policy.diffTitle', { from: d.from, to: d.to }) : t('policy.diffFirst')}</Title>
                  {d.changes.length === 0 && <Text size="sm">{t('policy.noChanges')}</Text>}
                  {d.changes.slice(0, 300).map((c) => (
                    <Text key={c.path} size="sm" ff="monospace" style={{ overflowWrap: 'anywhere' }}><b>{c.path}</b>: {c.before === undefined ? '∅' : JSON.stringify(c.before)} → {c.after === undefined ? '∅' : JSON.stringify(c.after)}</Text>
                  ))}
                </Card>
              )}
            </Loaded>
          )}
        </Stack>
      )}
    </Loaded>
  );
}

function Yaml() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const d = useQuery(draftQuery());
  const [text, setText] = useState('');
  const imp = useMutation({
    mutationFn: (draftVersion: number) => ok(api.POST('/api/v1/policy/draft/import', { body: { yaml: text, draftVersion } })),
    onSuccess: (x) => qc.setQueryData(qk.draft, x),
  });
  return (
    <Stack>
      <Text size="sm">{t('policy.exportHint')} <Anchor href="/api/v1/policy/export" data-testid="export">{t('policy.export')}</Anchor></Text>
      <Textarea label={t('policy.importLabel')} autosize minRows={6} maxRows={20} value={text} onChange={(e) => setText(e.currentTarget.value)} ff="monospace" data-testid="import-text" />
      <Group>
        <Button onClick={() => d.data && imp.mutate(d.data.version)} disabled={!text.trim() || !d.data} data-testid="import">{t('policy.import')}</Button>
      </Group>
      <ErrorNote error={imp.error} />
      {imp.isSuccess && <Alert color="teal">{t('policy.imported')}</Alert>}
    </Stack>
  );
}
