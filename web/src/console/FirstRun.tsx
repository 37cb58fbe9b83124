// The first-run set-up (issue 11): shown instead of the sign-in while no business exists. It sends
// what `aftercare org create` takes to POST /api/v1/setup (the same server code), with the one-time
// token `aftercare start` printed (`/setup?token=...`), and the owner is signed in by the answer.
import { Alert, Button, Checkbox, Group, Paper, PasswordInput, Radio, Select, SimpleGrid, Stack, Text, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { api, ApiError, ok, type Body } from '../lib/api';
import { LanguageSwitch } from '../lib/ui';
import { LANGUAGES } from '../lib/i18n';

const TEMPLATES = ['blank', 'its', 'itmall', 'service-center', 'vn', 'itema'] as const;
// Codes Intl names as regions that are not countries (continents, pseudo-locales, "unknown").
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'ZZ', 'QO', 'XA', 'XB', 'AA', 'XX', 'ZY']);

function countries(lang: string) {
  const names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'none' });
  const out: { value: string; label: string }[] = [];
  for (let a = 65; a <= 90; a++)
    for (let b = 65; b <= 90; b++) {
      const code = String.fromCharCode(a, b);
      const name = NOT_COUNTRIES.has(code) ? undefined : names.of(code);
      if (name && name !== code) out.push({ value: code, label: `${name} (${code})` });
    }
  return out.sort((x, y) => x.label.localeCompare(y.label, lang));
}
function currencies(lang: string) {
  const names = new Intl.DisplayNames([lang], { type: 'currency', fallback: 'code' });
  return Intl.supportedValuesOf('currency').map((c) => ({ value: c, label: `${c} — ${names.of(c)}` }));
}
const zones = () => ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

/** What is wrong with a field, in the user's words: "taken", or the field's own message. */
function fieldError(t: TFunction, error: unknown, path: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  const x = error.problem?.errors?.find((e) => e.field === `body.${path}` || e.field.startsWith(`body.${path}.`));
  if (!x) return undefined;
  if (x.code === 'taken') return t(`firstRun.err.taken.${path.replace(/\.\d+\./, '.')}`, { defaultValue: t('firstRun.err.takenAny') });
  const key = `firstRun.err.${path.replace(/\.\d+\./, '.')}`;
  const said = t(key);
  return said === key ? t('counter.err.invalid') : said;
}

export function FirstRunPage({ onDone }: { onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language;
  const [token, setToken] = useState(() => {
    const q = new URLSearchParams(location.search).get('token') ?? '';
    // The token leaves the address bar (history, a shared screen) once read.
    if (q) history.replaceState(null, '', location.pathname);
    return q;
  });
  // Came with the link: the code field stays hidden unless the server refuses the code.
  const [tokenFromLink] = useState(() => token !== '');
  const zoneList = useMemo(zones, []);
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const [f, setF] = useState({
    name: '',
    slug: '',
    country: '',
    timeZone: zoneList.includes(browserZone) ? browserZone : '',
    currency: '',
    languages: [lang] as string[],
    ownerName: '',
    ownerEmail: '',
    password: '',
    password2: '',
    locName: '',
    locAddress: '',
    locPhone: '',
    locHours: '',
    policy: 'blank' as string,
  });
  const set = (k: keyof typeof f) => (v: string | null) => setF((x) => ({ ...x, [k]: v ?? '' }));
  const on = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => set(k)(e.currentTarget.value);
  const countryList = useMemo(() => countries(lang), [lang]);
  const currencyList = useMemo(() => currencies(lang), [lang]);
  const [mismatch, setMismatch] = useState(false);

  const body = (): Body<'/api/v1/setup'> => ({
    token: token.trim(),
    name: f.name,
    ...(f.slug.trim() ? { slug: f.slug.trim() } : {}),
    country: f.country,
    timeZone: f.timeZone,
    currency: f.currency,
    languages: f.languages,
    owner: { name: f.ownerName, email: f.ownerEmail, password: f.password },
    locations: [{ name: f.locName, address: f.locAddress || null, phone: f.locPhone || null, openingHours: f.locHours || null }],
    policy: f.policy,
  });
  const setup = useMutation({ mutationFn: () => ok(api.POST('/api/v1/setup', { body: body() })), onSuccess: onDone });
  const e = setup.error;
  const err = (path: string) => fieldError(t, e, path);
  const submit = (ev: FormEvent) => {
    ev.preventDefault();
    if (f.password !== f.password2) return setMismatch(true);
    setMismatch(false);
    setup.mutate();
  };
  const already = e instanceof ApiError && e.problem?.code === 'already-set-up';
  const fieldsWrong = e instanceof ApiError && (e.problem?.errors?.length ?? 0) > 0;

  return (
    <Stack component="main" maw={760} mx="auto" p="md" gap="md" data-testid="first-run">
      <Group justify="space-between" wrap="nowrap" align="flex-start">
        <div style={{ minWidth: 0 }}>
          <Title order={1} size="h2">{t('firstRun.title')}</Title>
          <Text c="dimmed" size="sm">{t('firstRun.intro')}</Text>
        </div>
        <LanguageSwitch />
      </Group>
      <form onSubmit={submit} noValidate aria-label={t('firstRun.title')}>
        <Stack gap="md">
          {!tokenFromLink || err('token') ? (
            <Paper withBorder p="md">
              <TextInput label={t('firstRun.token')} description={t('firstRun.tokenHint')} value={token} onChange={(ev) => setToken(ev.currentTarget.value)} error={err('token')} name="token" required autoComplete="off" data-testid="setup-token" />
            </Paper>
          ) : null}
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">{t('firstRun.business')}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('firstRun.name')} value={f.name} onChange={on('name')} error={err('name')} required name="name" data-testid="setup-name" />
              <TextInput label={t('firstRun.slug')} description={t('firstRun.slugHint')} value={f.slug} onChange={on('slug')} error={err('slug')} name="slug" data-testid="setup-slug" />
              <Select label={t('firstRun.country')} data={countryList} value={f.country || null} onChange={set('country')} searchable error={err('country')} required nothingFoundMessage={t('firstRun.nothingFound')} data-testid="setup-country" />
              <Select label={t('firstRun.timeZone')} data={zoneList} value={f.timeZone || null} onChange={set('timeZone')} searchable limit={50} error={err('timeZone')} required nothingFoundMessage={t('firstRun.nothingFound')} data-testid="setup-time-zone" />
              <Select label={t('firstRun.currency')} data={currencyList} value={f.currency || null} onChange={set('currency')} searchable limit={50} error={err('currency')} required nothingFoundMessage={t('firstRun.nothingFound')} data-testid="setup-currency" />
              <Checkbox.Group label={t('firstRun.languages')} description={t('firstRun.languagesHint')} value={f.languages} onChange={(v) => setF((x) => ({ ...x, languages: v }))} error={err('languages')} required>
                <Group mt={6} gap="md">
                  {LANGUAGES.map((l) => (
                    <Checkbox key={l.code} value={l.code} label={l.label} />
                  ))}
                </Group>
              </Checkbox.Group>
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">{t('firstRun.owner')}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('firstRun.ownerName')} value={f.ownerName} onChange={on('ownerName')} error={err('owner.name')} required name="ownerName" autoComplete="name" data-testid="setup-owner-name" />
              <TextInput label={t('firstRun.ownerEmail')} type="email" value={f.ownerEmail} onChange={on('ownerEmail')} error={err('owner.email')} required name="ownerEmail" autoComplete="username" data-testid="setup-owner-email" />
              <PasswordInput label={t('firstRun.password')} description={t('firstRun.passwordHint')} value={f.password} onChange={on('password')} error={err('owner.password')} required autoComplete="new-password" data-testid="setup-password" />
              <PasswordInput label={t('firstRun.password2')} value={f.password2} onChange={on('password2')} error={mismatch ? t('firstRun.err.mismatch') : undefined} required autoComplete="new-password" data-testid="setup-password2" />
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Title order={2} size="h4" mb="sm">{t('firstRun.location')}</Title>
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput label={t('firstRun.locName')} value={f.locName} onChange={on('locName')} error={err('locations.0.name')} required data-testid="setup-location-name" />
              <TextInput label={t('firstRun.locAddress')} value={f.locAddress} onChange={on('locAddress')} error={err('locations.0.address')} data-testid="setup-location-address" />
              <TextInput label={t('firstRun.locPhone')} value={f.locPhone} onChange={on('locPhone')} error={err('locations.0.phone')} type="tel" data-testid="setup-location-phone" />
              <TextInput label={t('firstRun.locHours')} placeholder={t('firstRun.locHoursExample')} value={f.locHours} onChange={on('locHours')} error={err('locations.0.openingHours')} data-testid="setup-location-hours" />
            </SimpleGrid>
          </Paper>
          <Paper withBorder p="md">
            <Radio.Group label={<Title order={2} size="h4">{t('firstRun.policy')}</Title>} description={t('firstRun.policyHint')} value={f.policy} onChange={set('policy')} error={err('policy')}>
              <Stack mt="sm" gap="xs">
                {TEMPLATES.map((p) => (
                  <Radio key={p} value={p} label={t(`firstRun.template.${p}`)} description={t(`firstRun.templateHint.${p}`)} data-testid={`setup-policy-${p}`} />
                ))}
              </Stack>
            </Radio.Group>
          </Paper>
          {already ? (
            <Alert color="yellow" role="alert" data-testid="setup-already">
              {t('firstRun.already')}{' '}
              <a href="/">{t('firstRun.signIn')}</a>
            </Alert>
          ) : fieldsWrong ? (
            <Alert color="red" role="alert" data-testid="setup-refused">{t('firstRun.checkFields')}</Alert>
          ) : e ? (
            <Alert color="red" role="alert" data-testid="setup-failed">{e instanceof ApiError && e.status === 0 ? t('error.network') : t('error.failed')}</Alert>
          ) : null}
          <Group justify="flex-end">
            <Button type="submit" loading={setup.isPending} data-testid="setup-submit">{t('firstRun.submit')}</Button>
          </Group>
        </Stack>
      </form>
    </Stack>
  );
}
