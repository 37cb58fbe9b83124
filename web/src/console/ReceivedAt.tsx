// When a claim actually reached the business, when it is entered later (a phone call or an e-mail
// typed in afterwards; issue 11): the claim's date and its clocks run from it, the audit keeps both
// moments (POST /api/v1/claims `receivedAt`, PUT /api/v1/service-orders/{id}/received-at on an open
// order). The date and time are typed in the business's time zone (the organization's, shown beside
// the field), not the browser's: a clerk whose computer is set to another zone still records the
// business's local time. Checked here as the server checks it: not in the future, at most 30 days
// back, not before the purchase.
import { TextInput } from '@mantine/core';
import { DateTime } from 'luxon';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { ApiError } from '../lib/api';
import { useSession } from './Console';

export const RECEIVED_AT_MAX_DAYS = 30;
const INPUT = "yyyy-LL-dd'T'HH:mm";

/** The input's value (`YYYY-MM-DDTHH:mm`, local time in `zone`) as an ISO instant; undefined when empty or not a moment. */
export const receivedAtIso = (v: string, zone: string) => {
  if (!v) return undefined;
  const d = DateTime.fromISO(v, { zone });
  return d.isValid ? d.toUTC().toISO()! : undefined;
};

/** An instant as the input's value in `zone`. */
export const localInput = (iso: string | Date, zone: string) => (typeof iso === 'string' ? DateTime.fromISO(iso) : DateTime.fromJSDate(iso)).setZone(zone).toFormat(INPUT);

/** An instant as the business's local date and time (`2026-03-02 09:00`), for the order page. */
export const fmtInZone = (iso: string, zone: string) => DateTime.fromISO(iso).setZone(zone).toFormat('yyyy-LL-dd HH:mm');

/** What is wrong with the moment (a code the server also answers), or null. `before`: the latest allowed (now, or when the order was entered). */
export function receivedAtProblem(v: string, now: Date, zone: string, purchaseDate?: string, entered?: Date): string | null {
  if (!v) return null;
  const iso = receivedAtIso(v, zone);
  if (!iso) return 'invalid';
  const at = new Date(iso).getTime();
  if (at > now.getTime()) return 'in-future';
  if (entered && at > entered.getTime()) return 'after-entered';
  if ((entered ?? now).getTime() - at > RECEIVED_AT_MAX_DAYS * 86_400_000) return 'too-old';
  if (purchaseDate && v.slice(0, 10) < purchaseDate) return 'before-purchase';
  return null;
}

const message = (t: TFunction, code: string) => t(`received.err.${code}`, { days: RECEIVED_AT_MAX_DAYS, defaultValue: t('received.err.invalid') });

/** The business's time zone (the signed-in organization's). */
export const useBusinessZone = () => useSession().org.timeZone;

export function ReceivedAtField({ value, onChange, purchaseDate, error, entered, label }: { value: string; onChange: (v: string) => void; purchaseDate?: string; error?: unknown; entered?: Date; label?: string }) {
  const { t } = useTranslation();
  const zone = useBusinessZone();
  const now = new Date();
  const mine = receivedAtProblem(value, now, zone, purchaseDate, entered);
  const server = error instanceof ApiError ? error.problem?.errors?.find((e) => e.field === 'body.receivedAt') : undefined;
  const latest = entered && entered < now ? entered : now;
  return (
    <TextInput
      type="datetime-local"
      label={label ?? t('received.label')}
      description={`${t('received.zone', { zone })} · ${t('received.hint', { days: RECEIVED_AT_MAX_DAYS })}`}
      value={value}
      onChange={(e) => onChange(e.currentTarget.value)}
      max={localInput(latest, zone)}
      min={localInput(new Date(latest.getTime() - RECEIVED_AT_MAX_DAYS * 86_400_000), zone)}
      rightSection={<span data-testid="received-at-zone" style={{ fontSize: 11, color: 'var(--mantine-color-dimmed)', whiteSpace: 'nowrap' }}>{zone.split('/').pop()!.replace(/_/g, ' ')}</span>}
      rightSectionWidth={90}
      error={mine ? message(t, mine) : server ? message(t, server.code ?? 'invalid') : undefined}
      name="receivedAt"
      data-testid="received-at"
    />
  );
}
