// Shared pieces: loading and error states, the language switch.
import { Alert, Button, Center, Group, Loader, Select } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from './api';
import { LANGUAGES, setLanguage } from './i18n';

const WORK_ORDER: Record<string, string> = {
  problemInClientsWords: 'wo.problem', accessories: 'wo.accessories', visibleCondition: 'wo.condition', complete: 'wo.complete',
  dataBackedUp: 'wo.backup', passwordsRemoved: 'wo.passwords', termsAccepted: 'wo.terms', signedBy: 'wo.signedBy',
};

/** A field path from the server (`body.workOrder.dataBackedUp`, `details.model`, `proofs.invoice|receipt`) in the user's words;
 *  the path itself when there is no label for it. */
export function fieldLabel(t: TFunction, path: string): string {
  const parts = path.replace(/^body\./, '').split('.');
  const last = parts[parts.length - 1];
  const one = (name: string) => {
    if (parts.includes('workOrder') && WORK_ORDER[name]) return t(WORK_ORDER[name]);
    const key = `field.${name}`;
    const label = t(key);
    return label === key ? null : label;
  };
  const labels = last.split('|').map(one);
  return labels.every(Boolean) ? labels.join(` ${t('common.or')} `) : path;
}

/** Says what failed (in the user's words, the request kept as a hint for support), never clears a form. */
export function ErrorNote({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  if (!error) return null;
  const e = error instanceof ApiError ? error : null;
  const detail =
    e?.status === 0
      ? t('error.network')
      : e?.status === 401
        ? t('error.signedOut')
        : e?.status === 404
          ? t('error.notFound')
          : e?.problem?.errors?.length
            ? t('error.checkFields')
            : (e?.message ?? String(error));
  return (
    <Alert color="red" role="alert" title={e && e.status >= 400 && e.status < 500 ? t('error.refused') : t('error.failed')} data-what={e?.what} data-testid="error">
      {detail}
      {e?.problem?.errors?.length ? (
        <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
          {e.problem.errors.map((x) => (
            <li key={x.field} title={x.field}>
              <b>{fieldLabel(t, x.field)}</b>
              {x.code === 'required' ? ` — ${[t('error.required'), /\([A-Z]+-\d+\)/.exec(x.message)?.[0]].filter(Boolean).join(' ')}` : `: ${x.message}`}
            </li>
          ))}
        </ul>
      ) : null}
      {onRetry && (
        <Group mt="xs">
          <Button size="xs" variant="white" color="red" onClick={onRetry}>
            {t('common.retry')}
          </Button>
        </Group>
      )}
    </Alert>
  );
}

export function Loading() {
  const { t } = useTranslation();
  return (
    <Center p="xl">
      <Loader aria-label={t('common.loading')} />
    </Center>
  );
}

/** What Loaded needs of a query (TanStack Query's useQuery result). */
export interface Loadable<T> {
  data: T | undefined;
  error: unknown;
  refetch: () => unknown;
}

/** Renders loading / error / the data; a failed refresh keeps the data on screen under the error. */
export function Loaded<T>({ s, children }: { s: Loadable<T>; children: (d: T) => ReactNode }) {
  const retry = () => void s.refetch();
  if (s.error && s.data === undefined) return <ErrorNote error={s.error} onRetry={retry} />;
  if (s.data === undefined) return <Loading />;
  return (
    <>
      {s.error ? <ErrorNote error={s.error} onRetry={retry} /> : null}
      {children(s.data)}
    </>
  );
}

export function LanguageSwitch({ onChange }: { onChange?: (l: string) => void }) {
  const { t, i18n } = useTranslation();
  return (
    <Select
      aria-label={t('common.language')}
      size="xs"
      w={130}
      data={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
      value={i18n.language}
      allowDeselect={false}
      onChange={(v) => {
        if (!v) return;
        setLanguage(v);
        onChange?.(v);
      }}
      data-testid="language"
    />
  );
}
