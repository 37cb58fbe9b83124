// One box: any part of a serial or model finds devices, a name / phone / e-mail finds clients, an order number its order.
import { Anchor, Badge, Stack, Table, Text, Title } from '@mantine/core';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../lib/api';
import { customersQuery, devicesQuery, ordersQuery } from '../lib/queries';
import { linkProps, navigate } from '../lib/router';
import { Loaded } from '../lib/ui';
import { OrdersTable } from './Home';

export type Device = Schemas['Device'];
export type Customer = Schemas['Customer'];

export function SearchPage({ q }: { q: string }) {
  const { t } = useTranslation();
  const byDevice = q.trim().length >= 2;
  const byNumber = /^[A-Za-z]{1,5}-\d/.test(q);
  // Each search has its own key: a search typed while another is under way cannot get the older
  // one's answers. The previous results stay on screen until the new ones are in.
  const devices = useQuery({ ...devicesQuery({ q: q.trim(), limit: 20 }), enabled: byDevice, placeholderData: keepPreviousData });
  const customers = useQuery({ ...customersQuery({ q: q || undefined, limit: 20 }), placeholderData: keepPreviousData });
  const orders = useQuery({ ...ordersQuery({ number: q.toUpperCase(), limit: 20 }), enabled: byNumber, placeholderData: keepPreviousData });
  // The three as one result, loaded when each search asked for is; a failed order-number lookup finds nothing.
  const data = useMemo(() => {
    const d = byDevice ? devices.data?.items : [];
    const o = !byNumber || orders.isError ? [] : orders.data?.items;
    return d && customers.data && o ? { devices: d, customers: customers.data.items, orders: o } : undefined;
  }, [byDevice, byNumber, devices.data, customers.data, orders.data, orders.isError]);
  const current = !(byDevice && devices.isPlaceholderData) && !customers.isPlaceholderData && !(byNumber && orders.isPlaceholderData);
  const s = {
    data,
    error: devices.error ?? customers.error,
    refetch: () => Promise.all([byDevice && devices.refetch(), customers.refetch(), byNumber && orders.refetch()]),
  };
  // A single exact hit goes straight to its page, as a scanner at the counter expects (never on the
  // previous search's results still on screen).
  useEffect(() => {
    const d = s.data;
    if (!d || !current) return;
    const total = d.devices.length + d.customers.length + d.orders.length;
    // A scanned serial finds the device it names even when other serials contain it.
    const exact = d.devices.filter((x) => x.serial.toLowerCase() === q.trim().toLowerCase());
    if (total === 1 && d.devices.length === 1) navigate(`/devices/${d.devices[0].id}`, true);
    else if (exact.length === 1 && d.orders.length === 0) navigate(`/devices/${exact[0].id}`, true);
    else if (total === 1 && d.orders.length === 1) navigate(`/orders/${d.orders[0].id}`, true);
  }, [s.data, current]);
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
  const s = useQuery(devicesQuery({ customerId: c.id, limit: 20 }));
  return (
    <Table.Tr>
      <Table.Td fw={600}><Anchor {...linkProps(`/customers/${c.id}`)} data-testid="customer-link">{c.name}</Anchor></Table.Td>
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
