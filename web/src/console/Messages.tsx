// The business's own messages (issue 16, owners and managers): every message the business sends,
// per language the shipped text or the business's own, edited with the placeholders the message
// offers, checked and previewed live by the server with a sample order (the preview is rendered by
// the same code that sends), saved with its version, reset to the shipped text.
import { Accordion, Alert, Badge, Button, Card, Code, Group, SegmentedControl, Stack, Text, Textarea, TextInput, Title } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok, type Schemas } from '../lib/api';
import { fmtDateTime, LANGUAGES, type Lang } from '../lib/i18n';
import { ErrorNote, fieldProblem, Loaded } from '../lib/ui';

type Topic = Schemas['MessageTemplates'];
type Text3 = { subject: string; body: string; sms: string };
type FieldName = keyof Text3;
const FIELDS: FieldName[] = ['subject', 'body', 'sms'];
const listKey = ['message-templates'] as const;

/** Families of topics, in the order a shop meets them. */
const FAMILY = (topic: string) =>
  topic === 'claim.received' || topic.startsWith('order.') ? 'repairs' : topic.startsWith('rma.') ? 'rma' : topic.startsWith('support.') || topic.startsWith('training.') || topic.startsWith('contract.') ? 'support' : topic.startsWith('registration.') || topic.startsWith('plan.') ? 'warranty' : topic.startsWith('deadline.') ? 'staff' : 'account';
const FAMILIES = ['repairs', 'rma', 'warranty', 'support', 'account', 'staff'];
const topicKey = (topic: string) => `messages.topic.${topic.replace(/\./g, '_')}`;

export function MessagesPage() {
  const { t, i18n } = useTranslation();
  const [lang, setLang] = useState<Lang>((LANGUAGES.find((l) => l.code === i18n.language)?.code ?? 'en') as Lang);
  const [open, setOpen] = useState<string | null>(null);
  const s = useQuery({ queryKey: listKey, queryFn: ({ signal }) => ok(api.GET('/api/v1/message-templates', { signal })) });
  return (
    <Stack>
      <Title order={1} size="h2">{t('messages.title')}</Title>
      <Text size="sm" c="dimmed">{t('messages.intro')}</Text>
      <Group gap="xs">
        <Text size="sm" fw={600} id="messages-lang">{t('messages.language')}</Text>
        <SegmentedControl aria-labelledby="messages-lang" value={lang} onChange={(v) => setLang(v as Lang)} data={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))} data-testid="messages-lang" />
      </Group>
      <Loaded s={s}>
        {(d) => (
          <Stack>
            {FAMILIES.map((f) => {
              const topics = d.topics.filter((x) => FAMILY(x.topic) === f);
              if (!topics.length) return null;
              return (
                <Card key={f} withBorder p="xs">
                  <Title order={2} size="h4" mb="xs">{t(`messages.family.${f}`)}</Title>
                  <Accordion value={open} onChange={setOpen} variant="separated">
                    {topics.map((x) => (
                      <Accordion.Item key={x.topic} value={x.topic} data-topic={x.topic}>
                        <Accordion.Control>
                          <Group gap="xs" wrap="wrap">
                            <Text size="sm" fw={500}>{t(topicKey(x.topic), { defaultValue: x.topic })}</Text>
                            {x.languages[lang].custom ? <Badge color="grape" size="sm">{t('messages.own')}</Badge> : <Badge color="gray" variant="outline" size="sm">{t('messages.default')}</Badge>}
                          </Group>
                        </Accordion.Control>
                        <Accordion.Panel>{open === x.topic && <Editor key={`${x.topic}:${lang}`} topic={x} lang={lang} />}</Accordion.Panel>
                      </Accordion.Item>
                    ))}
                  </Accordion>
                </Card>
              );
            })}
          </Stack>
        )}
      </Loaded>
    </Stack>
  );
}

function Editor({ topic, lang }: { topic: Topic; lang: Lang }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const own = topic.languages[lang].custom;
  const shipped = topic.languages[lang].default;
  const start = own ?? shipped;
  const [text, setText] = useState<Text3>({ subject: start.subject, body: start.body, sms: start.sms });
  const [focus, setFocus] = useState<FieldName>('body');
  const refs = { subject: useRef<HTMLInputElement>(null), body: useRef<HTMLTextAreaElement>(null), sms: useRef<HTMLTextAreaElement>(null) };
  const [debounced] = useDebouncedValue(text, 300);
  const params = { path: { topic: topic.topic, language: lang } };
  const preview = useQuery({
    queryKey: ['message-templates', 'preview', topic.topic, lang, debounced],
    queryFn: ({ signal }) => ok(api.POST('/api/v1/message-templates/{topic}/{language}/preview', { params, body: debounced, signal })),
    retry: false,
    placeholderData: (prev) => prev,
  });
  const replaceInList = (d: Topic) => qc.setQueryData(listKey, (old: { topics: Topic[] } | undefined) => (old ? { topics: old.topics.map((x) => (x.topic === d.topic ? d : x)) } : old));
  const save = useMutation({
    mutationFn: () => ok(api.PUT('/api/v1/message-templates/{topic}/{language}', { params, body: { ...text, version: own?.version ?? 0 } })),
    onSuccess: replaceInList,
    onError: (e) => {
      if (e instanceof ApiError && e.problem?.code === 'version-conflict' && e.problem.current) replaceInList(e.problem.current as Topic);
    },
  });
  const reset = useMutation({
    mutationFn: () => ok(api.DELETE('/api/v1/message-templates/{topic}/{language}', { params: { ...params, query: { version: own!.version } } })),
    onSuccess: (d) => {
      save.reset();
      setText({ subject: shipped.subject, body: shipped.body, sms: shipped.sms });
      replaceInList(d);
    },
  });
  // Field errors: a refused save's, else the live check's (the preview validates as a save does).
  const problemOf = (e: unknown) => (e instanceof ApiError ? (e.problem?.errors ?? []) : []);
  const errors = problemOf(save.error).length ? problemOf(save.error) : problemOf(preview.error);
  const errorOf = (f: FieldName) => {
    const x = errors.find((e) => e.field === `body.${f}`);
    return x ? fieldProblem(t, x, 'messages') : undefined;
  };
  const set = (f: FieldName, v: string) => {
    save.reset();
    reset.reset();
    setText((x) => ({ ...x, [f]: v }));
  };
  /** Puts {placeholder} where the cursor is in the field last used. */
  const insert = (p: string) => {
    const el = refs[focus].current;
    const cur = text[focus];
    const at = el?.selectionStart ?? cur.length;
    const end = el?.selectionEnd ?? at;
    set(focus, `${cur.slice(0, at)}{${p}}${cur.slice(end)}`);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + p.length + 2, at + p.length + 2);
    });
  };
  const changed = FIELDS.some((f) => text[f] !== start[f]);
  const fieldProps = (f: FieldName) => ({
    label: t(`messages.field.${f}`),
    value: text[f],
    error: errorOf(f),
    onFocus: () => setFocus(f),
    onChange: (e: { currentTarget: { value: string } }) => set(f, e.currentTarget.value),
    'data-testid': `tpl-${f}`,
  });
  return (
    <Stack gap="sm">
      <Text size="sm" c="dimmed">{own ? t('messages.ownSince', { at: fmtDateTime(own.updatedAt), version: own.version }) : t('messages.usingDefault')}</Text>
      <div>
        <Text size="sm" fw={600} mb={4}>{t('messages.placeholders')}</Text>
        <Group gap={6}>
          {topic.placeholders.map((p) => (
            <Button key={p} size="compact-xs" variant="light" onClick={() => insert(p)} title={t(`messages.ph.${p}`, { defaultValue: p })} data-testid={`ph-${p}`}>
              {`{${p}}`}
            </Button>
          ))}
        </Group>
        <Text size="xs" c="dimmed" mt={4}>{t('messages.placeholdersHelp')}</Text>
        {topic.required.length > 0 && <Text size="xs" c="dimmed">{t('messages.required', { list: [...new Set(topic.required.map((r) => `{${r.placeholder}}`))].join(', ') })}</Text>}
      </div>
      <TextInput ref={refs.subject} {...fieldProps('subject')} />
      <Textarea ref={refs.body} autosize minRows={5} {...fieldProps('body')} />
      <Textarea ref={refs.sms} autosize minRows={2} {...fieldProps('sms')} description={t('messages.smsLength', { n: text.sms.length })} />
      <Card withBorder bg="gray.0" data-testid="tpl-preview" aria-live="polite">
        <Title order={3} size="h5" mb={4}>{t('messages.preview')}</Title>
        <Text size="xs" c="dimmed" mb="xs">{t('messages.previewHelp')}</Text>
        {preview.data ? (
          <Stack gap={6}>
            <Text size="sm"><b>{t('messages.field.subject')}:</b> <span data-testid="preview-subject">{preview.data.subject}</span></Text>
            <Code block data-testid="preview-body" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }}>{preview.data.body}</Code>
            <Text size="sm" fw={600}>{t('messages.field.sms')} ({t('messages.smsLength', { n: preview.data.smsLength })})</Text>
            <Code block data-testid="preview-sms" style={{ whiteSpace: 'pre-wrap', fontFamily: 'inherit' }}>{preview.data.sms}</Code>
          </Stack>
        ) : null}
        {preview.error && !problemOf(preview.error).length ? <ErrorNote error={preview.error} ns="messages" /> : null}
        {problemOf(preview.error).length > 0 && <Text size="sm" c="red.9" data-testid="preview-invalid">{t('messages.previewInvalid')}</Text>}
      </Card>
      <ErrorNote error={save.error ?? reset.error} ns="messages" />
      {save.isSuccess && !changed && <Alert color="teal" data-testid="tpl-saved">{t('messages.saved')}</Alert>}
      {reset.isSuccess && <Alert color="teal" data-testid="tpl-reset">{t('messages.resetDone')}</Alert>}
      <Group>
        <Button onClick={() => save.mutate()} loading={save.isPending} disabled={!changed && !!own} data-testid="tpl-save">{t('messages.save')}</Button>
        <Button variant="default" onClick={() => setText({ subject: shipped.subject, body: shipped.body, sms: shipped.sms })} disabled={FIELDS.every((f) => text[f] === shipped[f])} data-testid="tpl-load-default">{t('messages.loadDefault')}</Button>
        {own && <Button variant="subtle" color="red" onClick={() => reset.mutate()} loading={reset.isPending} data-testid="tpl-reset-btn">{t('messages.reset')}</Button>}
      </Group>
    </Stack>
  );
}
