// The portal's support page, `/help/<business>` (issue 13): the signed-in client's maintenance
// contracts and tickets with their status, in the client's language; a question or an incident from
// here; and the online consultant for anyone (SC-1, VN-1).
import { Alert, Anchor, Badge, Button, Card, Group, Select, Stack, Text, TextInput, Textarea, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, idemKey, ok, type Schemas } from '../lib/api';
import { fmtDate, fmtDateTime, lang, languageChosen } from '../lib/i18n';
import { ErrorNote, Loading } from '../lib/ui';

type ClientSupport = Schemas['ClientSupport'];

export function Help({ org }: { org: string }) {
  const { t } = useTranslation();
  const l = lang();
  const mine = useQuery({
    queryKey: ['client', 'support', l],
    queryFn: async ({ signal }) => {
      try {
        return await ok(api.GET('/api/v1/client/support', { params: { query: { lang: l } }, signal }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
  });
  return (
    <Stack>
      <Title order={1} size="h3">{t('support.portal.title')}</Title>
      {mine.data === undefined && !mine.error ? <Loading /> : mine.data ? <Mine s={mine.data} /> : (
        <Alert color="blue" data-testid="help-sign-in">
          {t('support.portal.signInHint')} <Anchor href={`/account/${encodeURIComponent(org)}?lang=${l}`}>{t('support.portal.signIn')}</Anchor>
        </Alert>
      )}
      <ErrorNote error={mine.error} />
      <Consultant org={org} />
    </Stack>
  );
}

function Mine({ s }: { s: ClientSupport }) {
  const { t, i18n } = useTranslation();
  // The client's language (Vietnamese at the vn business) unless the reader chose one.
  useEffect(() => {
    if (!languageChosen() && s.language !== i18n.language) void i18n.changeLanguage(s.language);
  }, [s.language, i18n]);
  const [open, setOpen] = useState<string | null>(null);
  // A new request about a closed one: the form below, filled with the closed ticket's number and subject.
  const [followUp, setFollowUp] = useState<{ key: number; subject: string; description: string } | null>(null);
  return (
    <Stack data-testid="client-support">
      <Title order={2} size="h4">{t('support.portal.contracts')}</Title>
      {s.contracts.length === 0 && <Text size="sm">{t('support.portal.noContracts')}</Text>}
      {s.contracts.map((c) => (
        <Card key={c.id} withBorder data-testid="client-contract">
          <Group justify="space-between" wrap="nowrap"><Text fw={600}>{c.number}</Text><Badge color={c.status === 'active' ? 'teal.9' : 'gray.7'} style={{ flexShrink: 0 }}>{t(`support.contractStatus.${c.status}`)}</Badge></Group>
          <Text size="sm">{c.tier} · {c.calendar === '24/7' ? t('support.allDay') : t('support.businessDays')}</Text>
          <Text size="sm">{fmtDate(c.startsOn)} – {fmtDate(c.endsOn)} · {t('support.renewal')}: {fmtDate(c.renewalOn)}</Text>
          {c.devices.map((d) => <Text key={d.id} size="xs" c="dark.6">{d.serial} {d.model ?? ''}</Text>)}
        </Card>
      ))}
      <Title order={2} size="h4">{t('support.portal.tickets')}</Title>
      {s.tickets.length === 0 && <Text size="sm">{t('support.portal.noTickets')}</Text>}
      <Stack gap="xs">
        {s.tickets.map((x) => (
          <div key={x.id} data-testid="client-ticket" data-number={x.number}>
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Anchor component="button" type="button" size="sm" fw={600} onClick={() => setOpen(open === x.id ? null : x.id)} aria-expanded={open === x.id} data-testid="client-ticket-open">{x.number}</Anchor>
              <Badge variant="light" color="dark" style={{ flexShrink: 0 }}>{t(`support.clientStates.${x.state}`)}</Badge>
            </Group>
            <Text size="sm" c="dark.6">{fmtDateTime(x.createdAt)} · {x.subject}</Text>
            {x.firstResponseAt && <Text size="xs" c="dark.5">{t('support.portal.answered', { at: fmtDateTime(x.firstResponseAt) })}</Text>}
            {open === x.id && <Thread id={x.id} onFollowUp={(subject, description) => setFollowUp({ key: Date.now(), subject, description })} />}
          </div>
        ))}
      </Stack>
      <Ask key={followUp?.key ?? 0} s={s} initial={followUp} />
    </Stack>
  );
}

function Ask({ s, initial }: { s: ClientSupport; initial?: { subject: string; description: string } | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [kind, setKind] = useState<'question' | 'incident'>('question');
  const [subject, setSubject] = useState(initial?.subject ?? '');
  const [description, setDescription] = useState(initial?.description ?? '');
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (initial) ref.current?.scrollIntoView({ block: 'center' });
  }, [initial]);
  const [deviceId, setDeviceId] = useState<string | null>(null);
  const devices = s.contracts.filter((c) => c.status === 'active').flatMap((c) => c.devices);
  const send = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/client/support/tickets', { body: { kind, subject, description, language: lang(), ...(kind === 'incident' && deviceId ? { deviceId } : {}) } })),
    onSuccess: () => {
      setSubject('');
      setDescription('');
      void qc.invalidateQueries({ queryKey: ['client', 'support'] });
    },
  });
  return (
    <Card withBorder ref={ref} data-testid="client-ask">
      <Stack gap="xs">
        <Title order={2} size="h4">{t('support.portal.ask')}</Title>
        <Select label={t('support.kind')} data={[{ value: 'question', label: t('support.kinds.question') }, { value: 'incident', label: t('support.kinds.incident') }]} value={kind} onChange={(v) => setKind((v as 'question') ?? 'question')} allowDeselect={false} />
        {kind === 'incident' && <Select label={t('support.device')} data={devices.map((d) => ({ value: d.id, label: `${d.serial} ${d.model ?? ''}` }))} value={deviceId} onChange={setDeviceId} />}
        <TextInput label={t('support.subject')} value={subject} onChange={(e) => setSubject(e.currentTarget.value)} data-testid="client-ask-subject" />
        <Textarea label={t('support.description')} value={description} onChange={(e) => setDescription(e.currentTarget.value)} autosize minRows={3} data-testid="client-ask-description" />
        {send.data && <Alert color="teal" role="status">{t('support.portal.sent', { number: send.data.number })}</Alert>}
        <ErrorNote error={send.error} ns="support" />
        <Button onClick={() => send.mutate()} disabled={!subject.trim() || !description.trim()} loading={send.isPending} data-testid="client-ask-send">{t('support.portal.send')}</Button>
      </Stack>
    </Card>
  );
}

function Consultant({ org }: { org: string }) {
  const { t } = useTranslation();
  const l = lang();
  const offer = useQuery({ queryKey: ['consultant', org, l], queryFn: ({ signal }) => ok(api.GET('/api/v1/consultant/{organization}', { params: { path: { organization: org }, query: { lang: l } }, signal })) });
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [question, setQuestion] = useState('');
  const ask = useMutation({ mutationFn: () => ok(api.POST('/api/v1/consultant/{organization}', { params: { path: { organization: org } }, body: { name, email, question, language: l } })) });
  if (!offer.data?.available) return null;
  return (
    <Card withBorder data-testid="consultant">
      <Stack gap="xs">
        <Title order={2} size="h4">{t('support.portal.consultant')}</Title>
        <Text size="sm">{offer.data.text} ({offer.data.rule})</Text>
        {ask.data ? (
          <Alert color="teal" role="status" data-testid="consultant-sent">{t('support.portal.consultantSent', { number: ask.data.number })}</Alert>
        ) : (
          <>
            <TextInput label={t('support.portal.name')} value={name} onChange={(e) => setName(e.currentTarget.value)} autoComplete="name" data-testid="consultant-name" />
            <TextInput label={t('support.portal.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} autoComplete="email" data-testid="consultant-email" />
            <Textarea label={t('support.portal.question')} value={question} onChange={(e) => setQuestion(e.currentTarget.value)} autosize minRows={3} data-testid="consultant-question" />
            <ErrorNote error={ask.error} />
            <Button onClick={() => ask.mutate()} disabled={!name.trim() || !email.trim() || !question.trim()} loading={ask.isPending} data-testid="consultant-send">{t('support.portal.askConsultant')}</Button>
          </>
        )}
      </Stack>
    </Card>
  );
}

/** One request's messages, the desk's answers and the client's own, and the client's reply (VN-6: the desk waits for it). */
function Thread({ id, onFollowUp }: { id: string; onFollowUp: (subject: string, description: string) => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [text, setText] = useState('');
  const s = useQuery({ queryKey: ['client', 'support', 'ticket', id], queryFn: ({ signal }) => ok(api.GET('/api/v1/client/support/tickets/{id}', { params: { path: { id } }, signal })) });
  const send = useMutation({
    mutationFn: (key: string) => ok(api.POST('/api/v1/client/support/tickets/{id}/replies', { params: { path: { id } }, headers: { 'idempotency-key': key }, body: { body: text } })),
    onSuccess: (x) => {
      setText('');
      qc.setQueryData(['client', 'support', 'ticket', id], x);
      void qc.invalidateQueries({ queryKey: ['client', 'support'], exact: false });
    },
  });
  if (!s.data) return s.error ? <ErrorNote error={s.error} /> : <Loading />;
  const d = s.data;
  return (
    <Card withBorder mt="xs" p="sm" data-testid="client-thread">
      <Stack gap="xs">
        {d.state === 'awaiting-client' && <Alert color="yellow" data-testid="client-waiting">{t('support.portal.waitingForYou')}</Alert>}
        {d.state === 'resolved' && <Text size="sm" c="dark.6" data-testid="client-resolved-hint">{t('support.portal.resolvedHint')}</Text>}
        {d.thread.map((m) => (
          <Card key={m.id} p="xs" withBorder bg={m.direction === 'out' ? 'teal.0' : undefined} data-direction={m.direction} style={{ overflowWrap: 'anywhere' }}>
            <Text size="xs" c="dark.6">{m.direction === 'out' ? t('support.portal.fromUs', { name: m.author ?? '' }) : t('support.portal.fromYou')} · {fmtDateTime(m.createdAt)}</Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>{m.body}</Text>
            {m.attachments.map((a) => (
              <Anchor key={a.id} size="xs" href={`/api/v1/client/support/tickets/${encodeURIComponent(id)}/messages/${encodeURIComponent(m.id)}/attachments/${encodeURIComponent(a.id)}`} download={a.filename} data-testid="client-attachment" style={{ display: 'block' }}>
                📎 {a.filename} ({fmtSize(a.size)})
              </Anchor>
            ))}
          </Card>
        ))}
        {d.canReply ? (
          <>
            <Textarea label={t('support.portal.yourReply')} value={text} onChange={(e) => setText(e.currentTarget.value)} autosize minRows={2} data-testid="client-reply-text" />
            <ErrorNote error={send.error} ns="support" />
            <Button onClick={() => send.mutate(idemKey())} disabled={!text.trim()} loading={send.isPending} data-testid="client-reply">{t('support.portal.sendReply')}</Button>
          </>
        ) : (
          <Stack gap={4} data-testid="client-closed">
            <Text size="sm" c="dark.6">{t('support.portal.closedHint')}</Text>
            <Group><Button size="xs" variant="outline" onClick={() => onFollowUp(t('support.portal.followUpSubject', { number: d.number, subject: d.subject }), t('support.portal.followUpText', { number: d.number }))} data-testid="client-follow-up">{t('support.portal.followUp')}</Button></Group>
          </Stack>
        )}
      </Stack>
    </Card>
  );
}

/** A file's size in the reader's words (kB, MB). */
function fmtSize(bytes: number) {
  const [n, unit] = bytes >= 1024 * 1024 ? [bytes / (1024 * 1024), 'megabyte'] : [Math.max(bytes / 1024, 0.1), 'kilobyte'];
  return new Intl.NumberFormat(lang(), { style: 'unit', unit, unitDisplay: 'short', maximumFractionDigits: 1 }).format(n);
}
