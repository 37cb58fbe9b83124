// Stripe Payment Links on the order's money card (issue 14; docs/payments.md "Payment Links"): the
// office sends the client a link for the balance (by the order's channel, in the client's language)
// and sees each link's state: sent, paid, deactivated. Shown only when the server offers it (Stripe
// keys set, something due) or links were sent before.
import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok } from '../lib/api';
import { fmtDateTime, fmtMoney } from '../lib/i18n';
import { ErrorNote } from '../lib/ui';

const COLOR = { sent: 'blue', paid: 'green', deactivated: 'gray', mismatch: 'red' } as const;

export function PaymentLinks({ orderId, version, office, onDone }: { orderId: string; version: number; office: boolean; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ['service-order', orderId, 'payment-links', version], queryFn: () => ok(api.GET('/api/v1/service-orders/{id}/payment-links', { params: { path: { id: orderId } } })) });
  // One key per press: a double click or a retry of the same press sends one message.
  const [key, setKey] = useState(idemKey);
  const [done, setDone] = useState<string | null>(null);
  const send = useMutation({
    mutationFn: () => ok(api.POST('/api/v1/service-orders/{id}/payment-links', { params: { path: { id: orderId }, header: { 'idempotency-key': key } } })),
    onSuccess: (r) => {
      const amount = fmtMoney(r.link.amountMinor, r.link.currency);
      setDone(t(r.resent ? 'paymentLinks.resent' : 'paymentLinks.sent', { amount, via: t(`paymentLinks.via.${r.channel}`) }));
      setKey(idemKey());
      void qc.invalidateQueries({ queryKey: ['service-order', orderId, 'payment-links'] });
      onDone();
    },
  });
  const d = q.data;
  if (!d || (!d.available && d.links.length === 0)) return null;
  const active = d.links.find((l) => l.state === 'sent' && l.amountMinor === d.dueMinor);
  return (
    <Stack gap={4} mt="sm" data-testid="payment-links">
      <Text fw={600} size="sm">{t('paymentLinks.title')}</Text>
      {d.links.map((l) => (
        <Group key={l.id} gap="xs" data-testid={`payment-link-${l.state}`}>
          <Badge color={COLOR[l.state]} variant="light">{t(`paymentLinks.state.${l.state}`)}</Badge>
          <Text size="sm">{fmtMoney(l.amountMinor, l.currency)}</Text>
          {l.paidAt && <Text size="sm" c="dark.4">{t('paymentLinks.paidAt', { when: fmtDateTime(l.paidAt) })}</Text>}
        </Group>
      ))}
      {office && d.available && (
        <>
          <Text size="sm" c="dark.4">{t('paymentLinks.hint', { amount: fmtMoney(d.dueMinor, d.currency) })}</Text>
          <Group>
            <Button variant="light" onClick={() => send.mutate()} loading={send.isPending} data-testid="send-payment-link">{t(active ? 'paymentLinks.resend' : 'paymentLinks.send')}</Button>
          </Group>
        </>
      )}
      {done && <Text size="sm" c="green.8" role="status" data-testid="payment-link-done">{done}</Text>}
      <ErrorNote error={send.error} />
    </Stack>
  );
}
