// One box: any part of a serial or model finds devices, a name / phone / e-mail finds clients, an order number its order.
import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { api, qs } from '../lib/api';
import { linkProps, navigate } from '../lib/router';
import { Loaded, useLoad } from '../lib/ui';
import { OrdersTable, type OrderSummary } from './Home';

export interface Device { id: string; serial: string; manufacturer: string; model: string | null; category: string; condition: string; customerId: string | null; version: number; parts: { id: string; category: string; serial: string | null; term: string | null }[]; kind: string; term: string | null }
export interface Customer { id: string; name: string; email: string | null; phone: string | null; kind: string; preferredLanguage: string | null; version: number }

export function SearchPage({ q }: { q: string }) {
  const { t } = useTranslation();
  const s = useLoad(async () => {
    const [devices, customers, orders] = await Promise.all([
      q.trim().length >= 2 ? api<{ items: Device[] }>(`/devices?${qs({ q: q.trim(), limit: 20 })}`) : Promise.resolve({ items: [] as Device[] }),
      api<{ items: Customer[] }>(`/customers?${qs({ q, limit: 20 })}`),
      /^[A-Za-z]{1,5}-\d/.test(q) ? api<{ items: OrderSummary[] }>(`/service-orders?${qs({ number: q.toUpperCase(), limit: 20 })}`).catch(() => ({ items: [] })) : Promise.resolve({ items: [] as OrderSummary[] }),
    ]);
    return { devices: devices.items, customers: customers.items, orders: orders.items };
  }, [q]);
  // A single exact hit goes straight to its page, as a scanner at the counter expects.
  useEffect(() => {
    const d = s.data;
    if (!d) return;
    const total = d.devices.length + d.customers.length + d.orders.length;
    // A scanned serial finds the device it names even when other serials contain it.
    const exact = d.devices.filter((x) => x.serial.toLowerCase() === q.trim().toLowerCase());
    if (total === 1 && d.devices.length === 1) navigate(`/devices/${d.devices[0].id}`, true);
    else if (exact.length === 1 && d.orders.length === 0) navigate(`/devices/${exact[0].id}`, true);
    else if (total === 1 && d.orders.length === 1) navigate(`/orders/${d.orders[0].id}`, true);
  }, [s.data]);
  return (
    <>
      <Title order={1} size="h2" mb="md">{t('search.results', { q })}</Title>
      <Loaded s={s}>
        {(d) =>
          d.devices.length + d.customers.length + d.orders.length === 0 ? (
            <Text>{t('search.nothing', { q })}</Text>
          ) : (
            <Stack>
              {d.devices.length > 0 && (
                <section>
                  <Title order={2} size="h4">{t('search.devices')}</Title>
                  <DeviceList devices={d.devices} />
                </section>
              )}
              {d.customers.length > 0 && (
                <section>
                  <Title order={2} size="h4">{t('search.clients')}</Title>
                  <Table>
                    <Table.Tbody>
                      {d.customers.map((c) => <CustomerRow key={c.id} c={c} />)}
                    </Table.Tbody>
                  </Table>
                </section>
              )}
              {d.orders.length > 0 && (
                <section>
                  <Title order={2} size="h4">{t('search.orders')}</Title>
                  <OrdersTable items={d.orders} />
                </section>
              )}
            </Stack>
          )
        }
      </Loaded>
    </>
  );
}

export function DeviceList({ devices }: { devices: Device[] }) {
  const { t } = useTranslation();
  return (
    <Table>
      <Table.Tbody>
        {devices.map((d) => (
          <Table.Tr key={d.id}>
            <Table.Td><Anchor {...linkProps(`/devices/${d.id}`)}>{d.serial}</Anchor></Table.Td>
            <Table.Td>{d.manufacturer} {d.model}</Table.Td>
            <Table.Td><Badge variant="light" color="dark">{t(`condition.${d.condition}`, d.condition)}</Badge></Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function CustomerRow({ c }: { c: Customer }) {
  const s = useLoad(() => api<{ items: Device[] }>(`/devices?${qs({ customerId: c.id, limit: 20 })}`), [c.id]);
  return (
    <Table.Tr>
      <Table.Td fw={600}>{c.name}</Table.Td>
      <Table.Td>{c.phone}</Table.Td>
      <Table.Td>{c.email}</Table.Td>
      <Table.Td>
        {s.data?.items.map((d) => (
          <Anchor key={d.id} {...linkProps(`/devices/${d.id}`)} mr="sm">{d.serial}</Anchor>
        ))}
      </Table.Td>
    </Table.Tr>
  );
}
