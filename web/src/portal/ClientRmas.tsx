// The client's RMAs on their account page (issue 12): each with its status, its packing slip once
// authorized, and what is expected of them (send the items by a date, wait for the inspection ...);
// and a return request for their own devices (ITM-6: select the items, describe the fault).
import { Alert, Anchor, Badge, Button, Card, Checkbox, Group, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idemKey, ok, type Schemas } from '../lib/api';
import { fmtDate, fmtDateTime, inLang, lang } from '../lib/i18n';
import { ErrorNote } from '../lib/ui';

type ClientRma = Schemas['ClientRma'];
type Device = Schemas['ClientAccount']['devices'][number];

export function ClientRmas({ devices }: { devices: Device[] }) {
  const { t } = useTranslation();
  const s = useQuery({
    queryKey: ['client', 'rmas'],
    queryFn: async ({ signal }) => {
      try {
        return await ok(api.GET('/api/v1/client/rmas', { signal }));
      } catch (e) {
        // A business that runs no RMAs: the section is not shown.
        if (e instanceof ApiError && e.status === 409) return null;
        throw e;
      }
    },
  });
  if (s.data === null) return null;
  return (
    <Card withBorder data-testid="client-rmas">
      <Title order={2} size="h4">{t('rma.portal.title')}</Title>
      <ErrorNote error={s.error} />
      {s.data?.length === 0 && <Text size="sm" c="dark.5">{t('rma.portal.none')}</Text>}
      <Stack gap="sm" mt="xs">
        {s.data?.map((r) => <OneRma key={r.id} r={r} />)}
      </Stack>
      <RequestForm devices={devices} />
    </Card>
  );
}

function OneRma({ r }: { r: ClientRma }) {
  const { t } = useTranslation();
  const freight = r.freight as { inbound?: string } | null;
  return (
    <Card withBorder p="sm" data-testid="client-rma" data-number={r.number}>
      <Group justify="space-between" gap="xs">
        <Text fw={700} style={{ whiteSpace: 'nowrap' }}>{r.number}</Text>
        <Badge variant="light" color={r.state === 'return-late' ? 'red' : 'dark'} maw="100%" styles={{ label: { overflow: 'visible', whiteSpace: 'normal' } }} h="auto" data-testid="client-rma-state">{t(`rma.state.${r.state}`, r.state)}</Badge>
      </Group>
      <Text size="sm" c="dark.5">{fmtDateTime(r.createdAt)}{r.invoice ? ` · ${t('rma.invoice')} ${r.invoice}` : ''}</Text>
      <Alert mt="xs" color={r.expected.code === 'return-overdue' ? 'red' : 'blue'} p="xs" data-testid="client-rma-expected">
        {t(`rma.expected.${r.expected.code}`, { date: r.expected.due ? fmtDate(r.expected.due.slice(0, 10)) : '', rule: r.expected.rule ?? '' })}
      </Alert>
      {freight?.inbound === 'client' && <Text size="sm" mt={4}>{t('rma.portal.inbound')}</Text>}
      <Stack gap={0} mt={4}>
        {r.items.map((i) => (
          <Text key={i.position} size="sm">{i.position}. {i.serial} — {i.resolution ? t(`rma.resolutionOf.${i.resolution}`) : t(`rma.decision.${i.outcome ?? 'needs-inspection'}`)}{i.advanceReplacement ? ` · ${t('rma.portal.advance')}` : ''}{i.replacementRecord ? <> · <Anchor href={`${i.replacementRecord}?lang=${lang()}`} target="_blank" size="sm" data-testid="client-rma-replacement-record">{t('rma.replacementRecord')}</Anchor></> : null}</Text>
        ))}
      </Stack>
      {r.returnHold && <Text size="sm" mt={4} data-testid="client-rma-held">{t('rma.portal.held', { reason: r.returnHold.reason })}</Text>}
      {r.lateConsequence && <Text size="sm" c="red.9" mt={4}>{t(`rma.late.${r.lateConsequence.consequence}`, { rule: r.lateConsequence.rule })}</Text>}
      {r.dispute && <Text size="sm" mt={4}>{t('rma.dispute', { team: inLang(r.dispute.team), rule: '' })}{r.dispute.contact ? ` (${r.dispute.contact})` : ''}{r.dispute.outcome ? ` — ${t(`rma.disputeOutcome.${r.dispute.outcome}`)}` : ''}</Text>}
      {r.slip && <Anchor href={`${r.slip}?lang=${lang()}`} target="_blank" size="sm" mt={4} data-testid="client-rma-slip">{t('rma.portal.slip')}</Anchor>}
    </Card>
  );
}

function RequestForm({ devices }: { devices: Device[] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<Record<string, string | undefined>>({});
  const [invoice, setInvoice] = useState('');
  const [key, setKey] = useState(idemKey);
  const [open, setOpen] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      ok(api.POST('/api/v1/client/rmas', {
        headers: { 'idempotency-key': key },
        body: { language: lang(), ...(invoice.trim() ? { invoice: invoice.trim() } : {}), items: Object.entries(picked).filter(([, f]) => f !== undefined).map(([deviceId, fault]) => ({ deviceId, fault: fault ?? '' })) },
      })),
    onSuccess: async () => {
      setPicked({});
      setOpen(false);
      setKey(idemKey());
      await qc.invalidateQueries({ queryKey: ['client', 'rmas'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  if (!open) return <Button mt="sm" variant="light" onClick={() => setOpen(true)} data-testid="client-rma-open">{t('rma.portal.request')}</Button>;
  return (
    <Stack component="form" onSubmit={submit} mt="sm" gap="xs" data-testid="client-rma-form">
      <Text size="sm">{t('rma.portal.requestIntro')}</Text>
      <TextInput label={t('rma.invoice')} value={invoice} onChange={(e) => setInvoice(e.currentTarget.value)} name="invoice" />
      {devices.map((d) => (
        <div key={d.id}>
          <Checkbox label={`${[d.manufacturer, d.model].filter(Boolean).join(' ')} · ${d.serial}`} checked={picked[d.id] !== undefined} onChange={(e) => setPicked({ ...picked, [d.id]: e.currentTarget.checked ? '' : undefined })} data-serial={d.serial} />
          {picked[d.id] !== undefined && <Textarea mt={4} label={t('rma.fault')} required value={picked[d.id]} onChange={(e) => setPicked({ ...picked, [d.id]: e.currentTarget.value })} autosize minRows={2} name={`fault-${d.serial}`} />}
        </div>
      ))}
      <ErrorNote error={create.error} ns="rma" />
      <Group><Button type="submit" loading={create.isPending} data-testid="client-rma-submit">{t('rma.submit')}</Button></Group>
    </Stack>
  );
}
