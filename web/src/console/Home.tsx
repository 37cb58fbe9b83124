// Home: the queues with their counts (issue 4's /service-orders/queues); each opens its list.
import { Anchor, Badge, Button, Card, Group, SimpleGrid, Table, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Query, Schemas } from '../lib/api';
import { fmtDateTime } from '../lib/i18n';
import { ordersQuery, queuesQuery } from '../lib/queries';
import { linkProps } from '../lib/router';
import { Loaded } from '../lib/ui';

export const QUEUES = ['to-link', 'new', 'in-work', 'due-today', 'at-risk', 'breached', 'awaiting-client', 'ready', 'unclaimed'] as const;
const TONE: Record<string, string> = { 'to-link': 'orange', 'at-risk': 'orange', breached: 'red', 'due-today': 'yellow', ready: 'teal' };

export function HomePage() {
  const { t } = useTranslation();
  const s = useQuery(queuesQuery());
  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={1} size="h2">{t('home.title')}</Title>
        <Button {...linkProps('/intake')} component="a">{t('nav.intake')}</Button>
      </Group>
      <Loaded s={s}>
        {(counts) => (
          <SimpleGrid cols={{ base: 2, sm: 3, lg: 4 }} data-testid="queues">
            {QUEUES.map((q) => (
              <Card key={q} withBorder component="a" {...linkProps(`/queues/${q}`)} aria-label={`${t(`queue.${q}`)}: ${counts[q] ?? 0}`} data-queue={q}>
                <Text size="sm" c="dark.5" fw={600}>{t(`queue.${q}`)}</Text>
                <Text fz={36} fw={700} c={counts[q] && TONE[q] ? `${TONE[q]}.9` : 'dark.8'}>{counts[q] ?? 0}</Text>
              </Card>
            ))}
          </SimpleGrid>
        )}
      </Loaded>
    </>
  );
}

export type OrderSummary = Schemas['ServiceOrder'];
type Queue = NonNullable<Query<'/api/v1/service-orders'>['queue']>;

export function OrdersTable({ items }: { items: OrderSummary[] }) {
  const { t } = useTranslation();
  return (
    <Table striped highlightOnHover>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('order.number')}</Table.Th>
          <Table.Th>{t('order.state')}</Table.Th>
          <Table.Th>{t('order.problem')}</Table.Th>
          <Table.Th>{t('order.updated')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {items.map((o) => (
          <Table.Tr key={o.id}>
            <Table.Td style={{ whiteSpace: 'nowrap' }}><Anchor {...linkProps(`/orders/${o.id}`)}>{o.number}</Anchor></Table.Td>
            <Table.Td><Badge variant="light" color="dark" style={{ overflow: 'visible' }} styles={{ label: { overflow: 'visible' } }}>{t(`state.${o.state}`, o.state)}</Badge></Table.Td>
            <Table.Td>{o.problem.slice(0, 80)}</Table.Td>
            <Table.Td>{fmtDateTime(o.updatedAt)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

export function QueuePage({ queue }: { queue: string }) {
  const { t } = useTranslation();
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<'newest' | 'oldest' | 'number'>('newest');
  // A queue name the API does not know (a typed URL) is sent as is: the server's 400 says so.
  const s = useQuery(ordersQuery({ queue: queue as Queue, limit: 100 }));
  return (
    <>
      <Title order={1} size="h2" mb="md">{t(`queue.${queue}`, queue)}</Title>
      <Group mb="sm">
        <TextInput aria-label={t('queue.filter')} placeholder={t('queue.filter')} value={filter} onChange={(e) => setFilter(e.currentTarget.value)} />
        <Button.Group>
          {(['newest', 'oldest', 'number'] as const).map((k) => (
            <Button key={k} variant={sort === k ? 'filled' : 'default'} onClick={() => setSort(k)} aria-pressed={sort === k}>{t(`queue.sort.${k}`)}</Button>
          ))}
        </Button.Group>
      </Group>
      <Loaded s={s}>{(d) => <Sorted items={d.items} filter={filter} sort={sort} />}</Loaded>
    </>
  );
}

function Sorted({ items, filter, sort }: { items: OrderSummary[]; filter: string; sort: string }) {
  const { t } = useTranslation();
  const shown = useMemo(() => {
    const f = filter.toLowerCase();
    const xs = items.filter((o) => !f || o.number.toLowerCase().includes(f) || o.problem.toLowerCase().includes(f) || o.state.includes(f));
    if (sort === 'oldest') xs.reverse();
    if (sort === 'number') xs.sort((a, b) => a.number.localeCompare(b.number));
    return xs;
  }, [items, filter, sort]);
  if (!shown.length) return <Text c="dark.4">{t('common.none')}</Text>;
  return <OrdersTable items={shown} />;
}
