// On an open order: when the claim was received (and when it was entered, if later), in the
// business's time zone, and for the front desk, managers and owners an edit of that moment
// (PUT /api/v1/service-orders/{id}/received-at, issue 11): the claim's clocks run from the new
// moment, the audit keeps both.
import { Button, Group, Text } from '@mantine/core';
import { useMutation } from '@tanstack/react-query';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api, idemKey, ok, type Schemas } from '../lib/api';
import { ErrorNote } from '../lib/ui';
import { useSession } from './Console';
import { fmtInZone, localInput, ReceivedAtField, receivedAtIso, receivedAtProblem } from './ReceivedAt';

type Order = Pick<Schemas['ServiceOrderDetail'], 'id' | 'version' | 'state' | 'claimReceivedAt' | 'createdAt' | 'details'>;
const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];
const EDITORS = ['owner', 'manager', 'front-desk'];

export function ReceivedAtLine({ o, onDone }: { o: Order; onDone: () => void }) {
  const { t } = useTranslation();
  const { me, org } = useSession();
  const zone = org.timeZone;
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState('');
  const key = useRef(idemKey());
  const entered = new Date(o.createdAt);
  const purchaseDate = (o.details as Record<string, string | undefined>).purchaseDate;
  const save = useMutation({
    mutationFn: () =>
      ok(api.PUT('/api/v1/service-orders/{id}/received-at', { params: { path: { id: o.id } }, body: { receivedAt: receivedAtIso(value, zone) ?? value, version: o.version }, headers: { 'idempotency-key': key.current } })),
    onSuccess: () => {
      key.current = idemKey();
      setOpen(false);
      onDone();
    },
  });
  const may = EDITORS.includes(me.user.role) && !CLOSED.includes(o.state);
  const later = o.claimReceivedAt !== o.createdAt;
  return (
    <>
      <Text size="sm" c="dimmed" data-testid="claim-received">
        {later ? t('received.shown', { received: fmtInZone(o.claimReceivedAt, zone), entered: fmtInZone(o.createdAt, zone) }) : t('received.shownSame', { received: fmtInZone(o.claimReceivedAt, zone) })} ({zone})
      </Text>
      {may && !open && (
        <Button size="compact-xs" variant="subtle" onClick={() => { setValue(localInput(o.claimReceivedAt, zone)); setOpen(true); }} data-testid="edit-received-at">
          {t('received.change')}
        </Button>
      )}
      {open && (
        <form
          style={{ width: '100%', maxWidth: 420 }}
          onSubmit={(e) => {
            e.preventDefault();
            save.mutate();
          }}
        >
          <ReceivedAtField value={value} onChange={setValue} purchaseDate={purchaseDate} entered={entered} error={save.error} label={t('received.changeLabel')} />
          <ErrorNote error={save.error} />
          <Group mt="xs" gap="xs">
            <Button type="submit" size="xs" loading={save.isPending} disabled={!value || receivedAtProblem(value, new Date(), zone, purchaseDate, entered) !== null} data-testid="save-received-at">{t('common.save')}</Button>
            <Button size="xs" variant="default" onClick={() => setOpen(false)}>{t('received.cancel')}</Button>
          </Group>
        </form>
      )}
    </>
  );
}
