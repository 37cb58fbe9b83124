// Shared pieces: loading and error states, the language switch.
import { Alert, Button, Center, Group, Loader, Select } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from './api';
import { fmtMoney, LANGUAGES, setLanguage } from './i18n';

const WORK_ORDER: Record<string, string> = {
  problemInClientsWords: 'wo.problem', accessories: 'wo.accessories', visibleCondition: 'wo.condition', complete: 'wo.complete',
  dataBackedUp: 'wo.backup', passwordsRemoved: 'wo.passwords', termsAccepted: 'wo.terms', signedBy: 'wo.signedBy',
};

/** A field path from the server (`body.workOrder.dataBackedUp`, `details.model`, `proofs.invoice|receipt`) in the user's words;
 *  the path itself when there is no label for it. */
export function fieldLabel(t: TFunction, path: string, ns?: string): string {
  const parts = path.replace(/^body\./, '').split('.');
  const last = parts[parts.length - 1];
  // A feature's own labels first; a field of a list's row ("items.1.serial") names the row.
  if (ns) {
    const row = /^(\w+)\.(\d+)\.(\w+)$/.exec(parts.join('.'));
    const key = `${ns}.field.${row ? row[3] : parts.join('.')}`;
    const label = t(key);
    if (label !== key) return row ? t(`${ns}.field.row`, { n: Number(row[2]) + 1, field: label }) : label;
  }
  const one = (name: string) => {
    if (parts.includes('workOrder') && WORK_ORDER[name]) return t(WORK_ORDER[name]);
    // As the forms label them: the shared field names, then the labels of the forms' own inputs.
    for (const key of [`field.${name}`, `counter.label.${name}`]) {
      const label = t(key);
      if (label !== key) return label;
    }
    return null;
  };
  const labels = last.split('|').map(one);
  return labels.every(Boolean) ? labels.join(` ${t('common.or')} `) : path;
}

type FieldError = { field: string; message: string; code?: string };
/** What is wrong with a field, in the user's words (the server's English stays in the tooltip, for support). */
export function fieldProblem(t: TFunction, x: FieldError, ns?: string): string {
  const rule = /\([A-Z]+-\d+\)/.exec(x.message)?.[0];
  if (ns && x.code) {
    const key = `${ns}.err.${x.code}`;
    const said = t(key, { ...(x as Record<string, unknown>), rule: rule ?? '' });
    if (said !== key) return said;
  }
  if (x.code === 'required' || (x.code === 'invalid_type' && /received (undefined|null|NaN)/.test(x.message))) return [t('error.required'), rule].filter(Boolean).join(' ');
  if (/calendar date|date like|YYYY-MM-DD/i.test(x.message)) return t('counter.err.date');
  const key = `counter.err.${x.code ?? 'invalid'}`;
  const said = t(key);
  return said === key ? t('counter.err.invalid') : said;
}

/** A problem the server names by its code, in the user's words; amounts as money (`balanceDue` of the order in `current`). */
export function problemText(t: TFunction, e: ApiError, ns?: string): string | null {
  const p = e.problem as (Record<string, unknown> & { code?: string; current?: { currency?: string } }) | undefined;
  if (!p?.code) return null;
  if (ns) {
    const own = t(`${ns}.problem.${p.code}`, { rule: typeof p.rule === 'string' ? p.rule : '' });
    if (own !== `${ns}.problem.${p.code}`) return own;
  }
  const key = `counter.problem.${p.code}`;
  const currency = p.current?.currency ?? (typeof p.currency === 'string' ? p.currency : undefined);
  const amount = typeof p.balanceDue === 'number' && currency ? fmtMoney(p.balanceDue, currency) : '';
  const said = t(key, { amount, rule: typeof p.rule === 'string' ? p.rule : '' });
  return said === key ? null : said;
}

/** Says what failed (in the user's words, the request kept as a hint for support), never clears a form. */
/** `ns`: a feature whose messages name its own fields, field problems and refusals (`<ns>.field.*`, `<ns>.err.*`, `<ns>.problem.*`). */
export function ErrorNote({ error, onRetry, ns }: { error: unknown; onRetry?: () => void; ns?: string }) {
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
            ? ((ns && e ? problemText(t, e, ns) : null) ?? t('error.checkFields'))
            : e
              ? (problemText(t, e, ns) ?? t('counter.err.refused'))
              : t('error.failed');
  return (
    <Alert color="red" role="alert" data-code={e?.problem?.code} data-detail={e?.message} title={e && e.status >= 400 && e.status < 500 ? t('error.refused') : t('error.failed')} data-what={e?.what} data-testid="error">
      {detail}
      {e?.problem?.errors?.length ? (
        <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
          {e.problem.errors.map((x) => (
            <li key={x.field} title={`${x.field}: ${x.message}`}>
              <b>{fieldLabel(t, x.field, ns)}</b> — {fieldProblem(t, x, ns)}
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
      <Loader role="status" aria-label={t('common.loading')} />
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
