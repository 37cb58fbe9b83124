// When a claim actually reached the business, when it is entered later (a phone call or an e-mail
// typed in afterwards; issue 11): the claim's date and its clocks run from it, the audit keeps both
// moments (POST /api/v1/claims `receivedAt`). Checked here as the server checks it: not in the
// future, at most 30 days back, not before the purchase.
import { TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from '../lib/api';

export const RECEIVED_AT_MAX_DAYS = 30;

/** The input's value (`YYYY-MM-DDTHH:mm`, the browser's local time) as an ISO instant; undefined when empty. */
export const receivedAtIso = (v: string) => (v ? new Date(v).toISOString() : undefined);

const localInput = (d: Date) => {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

/** What is wrong with the moment (a code the server also answers), or null. */
export function receivedAtProblem(v: string, now: Date, purchaseDate?: string): string | null {
  if (!v) return null;
  const at = new Date(v);
  if (Number.isNaN(at.getTime())) return 'invalid';
  if (at.getTime() > now.getTime()) return 'in-future';
  if (now.getTime() - at.getTime() > RECEIVED_AT_MAX_DAYS * 86_400_000) return 'too-old';
  if (purchaseDate && v.slice(0, 10) < purchaseDate) return 'before-purchase';
  return null;
}

const message = (t: TFunction, code: string) => t(`received.err.${code}`, { days: RECEIVED_AT_MAX_DAYS, defaultValue: t('received.err.invalid') });

export function ReceivedAtField({ value, onChange, purchaseDate, error }: { value: string; onChange: (v: string) => void; purchaseDate?: string; error?: unknown }) {
  const { t } = useTranslation();
  const now = new Date();
  const mine = receivedAtProblem(value, now, purchaseDate);
  const server = error instanceof ApiError ? error.problem?.errors?.find((e) => e.field === 'body.receivedAt') : undefined;
  return (
    <TextInput
      type="datetime-local"
      label={t('received.label')}
      description={t('received.hint', { days: RECEIVED_AT_MAX_DAYS })}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      max={localInput(now)}
      min={localInput(new Date(now.getTime() - RECEIVED_AT_MAX_DAYS * 86_400_000))}
      error={mine ? message(t, mine) : server ? message(t, server.code ?? 'invalid') : undefined}
      name="receivedAt"
      data-testid="received-at"
    />
  );
}
