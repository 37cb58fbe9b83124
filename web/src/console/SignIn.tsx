import { Alert, Button, Center, Group, Paper, PasswordInput, Stack, TextInput, Title } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, ok } from '../lib/api';
import { ErrorNote, LanguageSwitch } from '../lib/ui';

export function SignIn({ onSignedIn }: { onSignedIn: () => void }) {
  const { t } = useTranslation();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const signIn = useMutation({ mutationFn: () => ok(api.POST('/api/v1/auth/sign-in', { body: { email, password } })), onSuccess: onSignedIn });
  const error = signIn.error;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate();
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
            <Button type="submit" loading={signIn.isPending}>{t('signIn.submit')}</Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
