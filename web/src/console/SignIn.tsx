import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError } from '../lib/api';
import { ErrorNote, LanguageSwitch } from '../lib/ui';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await api('/auth/sign-in', { body: { email, password } });
      onSignedIn();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const wrong = error instanceof ApiError && error.status === 401;
  // Too many failed sign-ins (for this address or from this network): the server says for how long.
  const locked = error instanceof ApiError && error.status === 429 && error.problem?.code === 'too-many-attempts';
  const lockedMinutes = locked ? Math.max(1, Math.ceil(Number(error.problem?.retryAfterSeconds ?? 60) / 60)) : 0;
  return (
    <Center mih="100vh" bg="gray.1" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w={380} maw="100%">
        <form onSubmit={submit} aria-labelledby="signin-title">
          <Stack>
            <Group justify="space-between">
              <Title order={1} size="h3" id="signin-title">{t('signIn.title')}</Title>
              <LanguageSwitch />
            </Group>
            <TextInput label={t('signIn.email')} type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} name="email" />
            <PasswordInput label={t('signIn.password')} autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} name="password" />
            {wrong ? (
              <Alert color="red" role="alert">{t('signIn.wrong')}</Alert>
            ) : locked ? (
              <Alert color="red" role="alert" data-testid="sign-in-locked">{t('signIn.tooMany', { count: lockedMinutes })}</Alert>
            ) : (
              <ErrorNote error={error} />
            )}
            <Button type="submit" loading={busy}>{t('signIn.submit')}</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
