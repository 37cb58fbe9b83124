// The device page: what it is, the warranty as a picture with the reasons in words and rule ids,
// its history, its service orders and its documents.
import { Anchor, Badge, Button, Card, Grid, Group, List, Stack, Text, TextInput, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { categoryText, fmtDate, inLang, lang } from '../lib/i18n';
import { customerQuery, deviceQuery, ordersQuery, warrantyQuery } from '../lib/queries';
import { linkProps } from '../lib/router';
import { Loaded } from '../lib/ui';
import { OrdersTable } from './Home';
import { WarrantyTimeline } from './WarrantyTimeline';
import { DevicePlans, Requirements } from './Money';
import { DeviceHistory, DeviceSales } from './Clients';

export function DevicePage({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const [at, setAt] = useState('');
  const device = useQuery(deviceQuery(id));
  // Keyed by device, language and date: an answer for a date typed earlier never replaces the one asked for last.
  const warranty = useQuery(warrantyQuery(id, { lang: lang(), at: /^\d{4}-\d{2}-\d{2}$/.test(at) ? at : undefined }));
  const orders = useQuery(ordersQuery({ deviceId: id, limit: 50 }));
  return (
    <Loaded s={device}>
      {(d) => (
        <Stack>
          <Group justify="space-between" align="flex-start">
            <div>
              <Title order={1} size="h2" data-testid="device-title">{d.manufacturer} {d.model} · {d.serial}</Title>
              <Group gap="xs" mt={4}>
                <Badge variant="light" color="dark">{t(`condition.${d.condition}`, d.condition)}</Badge>
                <Badge variant="light" color="dark" data-testid="device-category">{categoryText(d.category, d.categoryNames)}</Badge>
                {d.term && <Badge variant="outline" color="dark">{d.term}</Badge>}
              </Group>
              {d.customerId && <Owner id={d.customerId} />}
            </div>
            <Group className="no-print">
              <Button component="a" variant="default" href={`/api/v1/devices/${id}/documents/warranty-card.pdf?lang=${lang()}`} target="_blank">{t('device.warrantyCard')}</Button>
              <Button component="a" {...linkProps(`/intake?device=${id}`)}>{t('device.newClaim')}</Button>
            </Group>
          </Group>
          <Card withBorder>
            <Group justify="space-between" mb="xs">
              <Title order={2} size="h3">{t('device.warranty')}</Title>
              <TextInput size="xs" label={t('device.asOf')} placeholder="YYYY-MM-DD" value={at} onChange={(e) => setAt(e.currentTarget.value)} w={160} />
            </Group>
            <Loaded s={warranty}>
              {(w) => (
                <Stack gap="sm">
                  <Group>
                    <Badge size="lg" color={w.covered ? 'teal.9' : 'red.9'} data-testid="covered">{w.covered ? t('device.covered') : t('device.notCovered')}</Badge>
                    <Text size="sm">{t(`status.${w.coverage.device.status}`, w.coverage.device.status)}{w.coverage.device.end ? ` · ${t('timeline.until')} ${fmtDate(w.coverage.device.end)}` : ''}{w.coverage.device.daysLeft !== undefined ? ` · ${t('device.daysLeft', { count: w.coverage.device.daysLeft })}` : ''}</Text>
                    <Text size="sm" c="dark.4">{t('device.policy', { pack: w.coverage.pack, version: w.coverage.policyVersion })}</Text>
                  </Group>
                  <WarrantyTimeline report={w.coverage} lang={i18n.language} />
                  <Title order={3} size="h5">{t('device.reasons')}</Title>
                  <List data-testid="reasons" spacing={4}>
                    {w.explanation.map((e, i) => <List.Item key={i}>{e}</List.Item>)}
                    {[w.coverage.device, ...w.coverage.parts].flatMap((it) => it.changes.filter((c) => c.code !== 'base-term').map((c, k) => (
                      <List.Item key={`${it.item}-${k}`}>{`${c.rule}: ${inLang(c.text)}`}</List.Item>
                    )))}
                  </List>
                  <Requirements items={w.requirements} />
                </Stack>
              )}
            </Loaded>
          </Card>
          <DevicePlans id={id} />
          <DeviceSales key={d.version} d={d} />
          <Grid>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">{t('device.orders')}</Title>
                <Loaded s={orders}>{(o) => (o.items.length ? <OrdersTable items={o.items} /> : <Text c="dark.4">{t('common.none')}</Text>)}</Loaded>
              </Card>
            </Grid.Col>
            <Grid.Col span={{ base: 12, md: 6 }}>
              <Card withBorder>
                <Title order={2} size="h4" mb="xs">{t('device.history')}</Title>
                <DeviceHistory deviceId={id} />
                {d.parts.length > 0 && (
                  <>
                    <Title order={3} size="h5" mt="sm">{t('device.parts')}</Title>
                    <List data-testid="device-parts">{d.parts.map((p) => <List.Item key={p.id}>{p.id} · {categoryText(p.category, p.categoryNames)}{p.term ? ` · ${p.term}` : ''}</List.Item>)}</List>
                  </>
                )}
              </Card>
            </Grid.Col>
          </Grid>
        </Stack>
      )}
    </Loaded>
  );
}

function Owner({ id }: { id: string }) {
  const s = useQuery(customerQuery(id));
  if (!s.data) return null;
  return (
    <Text size="sm" mt={4}>
      <Anchor {...linkProps(`/customers/${id}`)} data-testid="owner-link">{s.data.name}</Anchor> · {[s.data.phone, s.data.email].filter(Boolean).join(' · ')}
    </Text>
  );
}
