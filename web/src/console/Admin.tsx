// Admin: the organization's settings and policy pack, staff and roles, API keys, CSV import.
import { Alert, Anchor, Badge, Button, Card, Code, FileInput, Group, MultiSelect, Progress, Select, SimpleGrid, Stack, Table, Tabs, Text, TextInput, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idemKey, ok, upload, type Body, type Reply, type Schemas } from '../lib/api';
import { fmtDate, fmtDateTime, fmtNumber, inLang } from '../lib/i18n';
import { apiKeysQuery, keys, policyPackQuery, staffQuery } from '../lib/queries';
import { ErrorNote, Loaded } from '../lib/ui';
import { useSession } from './Console';

type Role = Schemas['StaffUser']['role'];
const ROLES: Role[] = ['owner', 'manager', 'front-desk', 'technician'];

export function AdminPage() {
  const { t } = useTranslation();
  return (
    <Stack>
      <Title order={1} size="h2">{t('admin.title')}</Title>
      <Tabs defaultValue="settings" keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="settings">{t('admin.settings')}</Tabs.Tab>
          <Tabs.Tab value="staff">{t('admin.staff')}</Tabs.Tab>
          <Tabs.Tab value="locations" data-testid="tab-locations">{t('setup.locations')}</Tabs.Tab>
          <Tabs.Tab value="keys">{t('admin.keys')}</Tabs.Tab>
          <Tabs.Tab value="import">{t('admin.import')}</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="settings" pt="md"><Settings /></Tabs.Panel>
        <Tabs.Panel value="staff" pt="md"><Staff /></Tabs.Panel>
        <Tabs.Panel value="locations" pt="md"><Locations /></Tabs.Panel>
        <Tabs.Panel value="keys" pt="md"><Keys /></Tabs.Panel>
        <Tabs.Panel value="import" pt="md"><Import /></Tabs.Panel>
      </Tabs>
    </Stack>
  );
}

function Settings() {
  const { t } = useTranslation();
  const { org, me, refreshOrg } = useSession();
  const [f, setF] = useState({ name: org.name, timeZone: org.timeZone, currency: org.currency, languages: org.languages as NonNullable<Body<'/api/v1/organization', 'patch'>['languages']> });
  const owner = me.user.role === 'owner';
  const update = useMutation({
    mutationFn: (body: Body<'/api/v1/organization', 'patch'>) => ok(api.PATCH('/api/v1/organization', { body })),
    onSuccess: refreshOrg,
  });
  const { error, isSuccess: saved } = update;
  const save = (e: FormEvent) => {
    e.preventDefault();
    update.mutate({ version: org.version, ...f });
  };
  return (
    <SimpleGrid cols={{ base: 1, md: 2 }} style={{ alignItems: 'start' }}>
      <Card withBorder component="form" onSubmit={save}>
        <Stack gap="xs">
          <TextInput label={t('admin.orgName')} value={f.name} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, name: v })); }} disabled={!owner} />
          <TextInput label={t('admin.timeZone')} value={f.timeZone} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, timeZone: v })); }} disabled={!owner} />
          <TextInput label={t('admin.currency')} value={f.currency} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, currency: v })); }} disabled={!owner} />
          <MultiSelect label={t('admin.languages')} data={['en', 'bg', 'vi']} value={f.languages} onChange={(v) => setF((x) => ({ ...x, languages: v as typeof f.languages }))} disabled={!owner} />
          <ErrorNote error={error} />
          {saved && <Alert color="teal">{t('common.saved')}</Alert>}
          {owner && <Button type="submit">{t('common.save')}</Button>}
        </Stack>
      </Card>
      <Card withBorder>
        <Title order={2} size="h4">{t('admin.policy')}</Title>
        <Text>{t('admin.pack')}: <Code>{org.packId}</Code></Text>
        <PolicyRules />
        <Text size="sm" mt="xs">{t('admin.rulesDoc')}</Text>
      </Card>
    </SimpleGrid>
  );
}

type PackInForce = Schemas['PolicyPackInForce'];
type Texts = PackInForce['rules'][number]['text'];

/** The rule's text in the reader's language, else the pack's first language, else English. */
const say = (x: Texts, ui: string, packLangs: string[]) => {
  const by = x as Partial<Record<string, string>>;
  return by[ui] ?? packLangs.map((l) => by[l]).find(Boolean) ?? inLang(x, 'en');
};

/** The version in force and every rule of the pack, searchable by id or words. */
function PolicyRules() {
  const { t, i18n } = useTranslation();
  const s = useQuery(policyPackQuery());
  const [q, setQ] = useState('');
  return (
    <Loaded s={s}>
      {(p) => {
        const ui = i18n.language;
        const needle = q.trim().toLowerCase();
        const shown = p.rules.filter(
          (r) => !needle || r.id.toLowerCase().includes(needle) || Object.values(r.text).some((x) => x?.toLowerCase().includes(needle)),
        );
        return (
          <Stack gap="xs" mt="xs">
            <Text>
              {t('admin.version')}: <Code data-testid="policy-version">{p.version}</Code> · {t('admin.effective', { date: fmtDate(p.effective) })}
            </Text>
            <Text size="sm" c="dimmed">{t('admin.packLanguages')}: {p.languages.join(', ')}</Text>
            <TextInput
              label={t('admin.searchRules')}
              placeholder={t('admin.searchRulesHint')}
              value={q}
              onChange={(e) => setQ(e.currentTarget.value)}
              data-testid="rule-search"
            />
            <Text size="sm" aria-live="polite">{t('admin.rulesShown', { count: shown.length, total: p.rules.length })}</Text>
            <Stack gap={4} data-testid="policy-rules" style={{ maxHeight: 480, overflowY: 'auto' }}>
              {shown.map((r) => (
                <Card key={r.id} withBorder padding="xs" data-rule={r.id}>
                  <Group gap="xs" align="baseline" wrap="nowrap">
                    <Badge variant="light" style={{ flexShrink: 0 }}>{r.id}</Badge>
                    <Text size="sm">{say(r.text, ui, p.languages)}</Text>
                  </Group>
                  {r.uses.map((u, i) => (
                    <Text key={i} size="xs" c="dimmed" ml="sm">
                      {t(`admin.use.${u.kind}`)}: {u.id} — {u.duration}
                    </Text>
                  ))}
                </Card>
              ))}
            </Stack>
          </Stack>
        );
      }}
    </Loaded>
  );
}

function Staff() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery(staffQuery());
  const empty: Body<'/api/v1/staff-users'> = { name: '', email: '', role: 'front-desk', password: '' };
  const [f, setF] = useState(empty);
  const create = useMutation({
    mutationFn: (body: Body<'/api/v1/staff-users'>) => ok(api.POST('/api/v1/staff-users', { body, headers: { 'idempotency-key': idemKey() } })),
    onSuccess: () => {
      setF(empty);
      return qc.invalidateQueries({ queryKey: keys.staff });
    },
  });
  const error = create.error;
  const add = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(f);
  };
  return (
    <Stack>
      <Loaded s={s}>
        {(d) => (
          <Table>
            <Table.Thead><Table.Tr><Table.Th>{t('claim.name')}</Table.Th><Table.Th>{t('claim.email')}</Table.Th><Table.Th>{t('admin.role')}</Table.Th><Table.Th>{t('setup.status')}</Table.Th></Table.Tr></Table.Thead>
            <Table.Tbody>{d.items.map((u) => <StaffRow key={u.id} u={u} />)}</Table.Tbody>
          </Table>
        )}
      </Loaded>
      <Card withBorder component="form" onSubmit={add}>
        <Title order={2} size="h5" mb="xs">{t('admin.addStaff')}</Title>
        <Group align="flex-end">
          <TextInput label={t('claim.name')} required value={f.name} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, name: v })); }} />
          <TextInput label={t('claim.email')} type="email" required value={f.email} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, email: v })); }} />
          <Select label={t('admin.role')} data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} value={f.role} onChange={(v) => v && setF((x) => ({ ...x, role: v as Role }))} allowDeselect={false} />
          <TextInput label={t('signIn.password')} type="password" required minLength={10} value={f.password} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, password: v })); }} />
          <Button type="submit">{t('common.add')}</Button>
        </Group>
        <ErrorNote error={error} />
      </Card>
    </Stack>
  );
}

type StaffUser = Schemas['StaffUser'];
/** One staff user: role, deactivate / reactivate (their sessions and keys stop at once), password reset. */
function StaffRow({ u }: { u: StaffUser }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [pw, setPw] = useState('');
  const patch = useMutation({
    mutationFn: (body: Omit<Body<'/api/v1/staff-users/{id}', 'patch'>, 'version'>) => ok(api.PATCH('/api/v1/staff-users/{id}', { params: { path: { id: u.id } }, body: { version: u.version, ...body } })),
    onSuccess: () => {
      setPw('');
      return qc.invalidateQueries({ queryKey: keys.staff });
    },
  });
  return (
    <Table.Tr data-staff={u.email}>
      <Table.Td>{u.name}</Table.Td>
      <Table.Td>{u.email}</Table.Td>
      <Table.Td>
        <Select aria-label={t('admin.role')} size="xs" data={ROLES.map((r) => ({ value: r, label: t(`role.${r}`) }))} value={u.role} onChange={(v) => v && v !== u.role && patch.mutate({ role: v as Role })} allowDeselect={false} />
      </Table.Td>
      <Table.Td>
        <Group gap={4} wrap="nowrap">
          <Button size="compact-xs" variant="light" color={u.disabled ? 'teal' : 'red'} onClick={() => patch.mutate({ disabled: !u.disabled })} data-testid="toggle-staff">
            {u.disabled ? t('setup.reactivate') : t('setup.deactivate')}
          </Button>
          <TextInput size="xs" type="password" aria-label={t('setup.newPassword')} placeholder={t('setup.newPassword')} value={pw} onChange={(e) => setPw(e.currentTarget.value)} />
          <Button size="compact-xs" variant="default" disabled={pw.length < 10} onClick={() => patch.mutate({ password: pw })}>{t('setup.resetPassword')}</Button>
        </Group>
        <ErrorNote error={patch.error} />
      </Table.Td>
    </Table.Tr>
  );
}

type Location = Schemas['Location'];
function Locations() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery({ queryKey: ['locations'], queryFn: ({ signal }) => ok(api.GET('/api/v1/locations', { signal })) });
  const empty = { name: '', address: '', phone: '', openingHours: '' };
  const [f, setF] = useState(empty);
  const refresh = () => qc.invalidateQueries({ queryKey: ['locations'] });
  const create = useMutation({ mutationFn: () => ok(api.POST('/api/v1/locations', { body: f })), onSuccess: () => { setF(empty); return refresh(); } });
  const field = (k: keyof typeof empty, label: string) => <TextInput label={label} value={f[k]} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, [k]: v })); }} />;
  return (
    <Stack>
      <Loaded s={s}>{(d) => <Stack gap="xs">{d.items.map((l) => <LocationCard key={`${l.id}-${l.version}`} l={l} onSaved={refresh} />)}</Stack>}</Loaded>
      <Card withBorder>
        <Title order={2} size="h5" mb="xs">{t('setup.addLocation')}</Title>
        <SimpleGrid cols={{ base: 1, md: 4 }}>{field('name', t('claim.name'))}{field('address', t('setup.address'))}{field('phone', t('setup.phone'))}{field('openingHours', t('setup.openingHours'))}</SimpleGrid>
        <Group mt="xs"><Button onClick={() => create.mutate()} disabled={!f.name.trim()}>{t('common.add')}</Button></Group>
        <ErrorNote error={create.error} />
      </Card>
    </Stack>
  );
}

function LocationCard({ l, onSaved }: { l: Location; onSaved: () => void }) {
  const { t } = useTranslation();
  const [f, setF] = useState({ name: l.name, address: l.address ?? '', phone: l.phone ?? '', openingHours: l.openingHours ?? '' });
  const save = useMutation({ mutationFn: () => ok(api.PATCH('/api/v1/locations/{id}', { params: { path: { id: l.id } }, body: { version: l.version, ...f } })), onSuccess: onSaved });
  const field = (k: keyof typeof f, label: string) => <TextInput label={label} value={f[k]} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, [k]: v })); }} />;
  return (
    <Card withBorder data-location={l.name}>
      <SimpleGrid cols={{ base: 1, md: 4 }}>{field('name', t('claim.name'))}{field('address', t('setup.address'))}{field('phone', t('setup.phone'))}{field('openingHours', t('setup.openingHours'))}</SimpleGrid>
      <Group mt="xs"><Button size="xs" onClick={() => save.mutate()}>{t('common.save')}</Button>{save.isSuccess && <Text size="sm" c="teal">{t('common.saved')}</Text>}</Group>
      <ErrorNote error={save.error} />
    </Card>
  );
}

function Keys() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const s = useQuery(apiKeysQuery());
  const empty: Body<'/api/v1/api-keys'> = { name: '', role: 'front-desk' };
  const [f, setF] = useState(empty);
  const [token, setToken] = useState<string>();
  const [error, setError] = useState<unknown>();
  const refresh = () => qc.invalidateQueries({ queryKey: keys.apiKeys });
  const create = useMutation({
    mutationFn: (body: Body<'/api/v1/api-keys'>) => ok(api.POST('/api/v1/api-keys', { body })),
    onMutate: () => setError(undefined),
    onSuccess: (r) => {
      setToken(r.token);
      setF(empty);
      return refresh();
    },
    onError: setError,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => ok(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
    onMutate: () => setError(undefined),
    onSuccess: refresh,
    onError: setError,
  });
  const add = (e: FormEvent) => {
    e.preventDefault();
    create.mutate(f);
  };
  return (
    <Stack>
      {token && <Alert color="teal" title={t('admin.keyOnce')}><Code style={{ wordBreak: 'break-all' }}>{token}</Code></Alert>}
      <Loaded s={s}>
        {(d) => (
          <Table>
            <Table.Tbody>
              {d.items.map((k) => (
                <Table.Tr key={k.id}>
                  <Table.Td>{k.name}</Table.Td><Table.Td><Code>{k.prefix}…</Code></Table.Td><Table.Td>{t(`role.${k.role}`, k.role)}</Table.Td><Table.Td>{fmtDateTime(k.createdAt)}</Table.Td>
                  <Table.Td>{k.revokedAt ? <Badge color="gray">{t('admin.revoked')}</Badge> : <Button size="xs" color="red" variant="light" onClick={() => revoke.mutate(k.id)}>{t('admin.revoke')}</Button>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </Loaded>
      <Card withBorder component="form" onSubmit={add}>
        <Group align="flex-end">
          <TextInput label={t('claim.name')} required value={f.name} onChange={(e) => { const v = e.currentTarget.value; setF((x) => ({ ...x, name: v })); }} />
          <Select label={t('admin.role')} data={ROLES.filter((r) => r !== 'owner').map((r) => ({ value: r, label: t(`role.${r}`) }))} value={f.role} onChange={(v) => v && setF((x) => ({ ...x, role: v as Role }))} allowDeselect={false} />
          <Button type="submit">{t('admin.newKey')}</Button>
        </Group>
        <ErrorNote error={error} />
      </Card>
    </Stack>
  );
}

/** The import's report: the same shape whether it wrote (200) or found bad rows and wrote nothing (422). */
type ImportResult = Reply<'/api/v1/imports/sales', 'post'>;

/** Upload with a progress bar (XMLHttpRequest reports upload progress; fetch does not). */
function Import() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [progress, setProgress] = useState<number | null>(null);
  const run = useMutation({
    mutationFn: async ({ file, check }: { file: File; check: boolean }): Promise<ImportResult> => {
      setProgress(0);
      try {
        const r = await upload('/api/v1/imports/sales', { query: check ? { check: 'true' } : undefined, body: file, contentType: 'text/csv', onProgress: (x) => setProgress(Math.round(x * 100)) });
        setProgress(100);
        return r;
      } catch (e) {
        if (e instanceof ApiError && e.status !== 0) setProgress(100);
        // Bad rows: a 422 whose body is the report (nothing was written).
        if (e instanceof ApiError && e.status === 422 && Array.isArray(e.problem?.problems)) return e.problem as unknown as ImportResult;
        throw e;
      }
    },
    onSuccess: (r) => {
      if (r.written) return Promise.all([qc.invalidateQueries({ queryKey: ['customers'] }), qc.invalidateQueries({ queryKey: ['devices'] })]);
    },
  });
  const { data: result, error } = run;
  const send = (check: boolean) => {
    if (file) run.mutate({ file, check });
  };
  const report = result?.problems.length ? `line,column,reason\n${result.problems.map((p) => `${p.line},${p.column ?? ''},"${p.reason.replace(/"/g, '""')}"`).join('\n')}\n` : '';
  return (
    <Stack maw={700}>
      <Text size="sm">{t('admin.importHint')} <Anchor href="/api/v1/exports/sales.csv">{t('admin.export')}</Anchor></Text>
      <FileInput label={t('admin.csvFile')} accept=".csv,text/csv" value={file} onChange={setFile} clearable />
      <Group>
        <Button variant="default" disabled={!file} onClick={() => send(true)}>{t('admin.check')}</Button>
        <Button disabled={!file} onClick={() => send(false)}>{t('admin.importNow')}</Button>
      </Group>
      {progress !== null && <Progress value={progress} aria-label={t('admin.progress')} animated={progress < 100 && !result && !error} />}
      <ErrorNote error={error} />
      {result && (
        <Card withBorder>
          <Text>{t('admin.importResult', { rows: fmtNumber(result.rows), customers: result.customersCreated, devices: result.devicesCreated, purchases: result.purchasesCreated })}</Text>
          <Badge color={result.written ? 'teal' : 'gray'}>{result.written ? t('admin.written') : t('admin.notWritten')}</Badge>
          {result.problems.length > 0 && (
            <>
              <Table mt="xs">
                <Table.Thead><Table.Tr><Table.Th>{t('admin.line')}</Table.Th><Table.Th>{t('admin.column')}</Table.Th><Table.Th>{t('admin.reason')}</Table.Th></Table.Tr></Table.Thead>
                <Table.Tbody>{result.problems.slice(0, 200).map((p, i) => <Table.Tr key={i}><Table.Td>{p.line}</Table.Td><Table.Td>{p.column}</Table.Td><Table.Td>{p.reason}</Table.Td></Table.Tr>)}</Table.Tbody>
              </Table>
              <Anchor href={`data:text/csv;charset=utf-8,${encodeURIComponent(report)}`} download="import-errors.csv">{t('admin.errorReport')}</Anchor>
            </>
          )}
        </Card>
      )}
    </Stack>
  );
}
