// Every read the web app makes, as TanStack Query options: one cache key per resource and its
// parameters, and the call that fills it.
//
// Why a late reply can never overwrite a newer one: a reply is stored under the key of the request
// that asked for it, and a component shows the entry of the key it asks for now. When the
// parameters change (the search box, the language, the "as of" date, another order), the component
// moves to a new key; an older request still in flight lands in its own, older entry, which nobody
// shows any more. (The hand-written loader this replaced set state with whichever reply came last.)
// Where the old answer should stay on screen while the new one loads, the query says
// `placeholderData: keepPreviousData`: that shows the previous key's data only until the current
// key has its own.
//
// Keys start with the resource, so a mutation invalidates everything under it at once:
// `invalidateQueries({ queryKey: ['service-orders'] })` refetches the lists, the queues and the
// open order (only what is on screen is fetched again; the rest is marked stale).
import { keepPreviousData, queryOptions, type QueryClient } from '@tanstack/react-query';
import { api, ApiError, ok, type Query } from './api';
import type { Lang } from './i18n';

export const keys = {
  session: ['session'] as const,
  queues: ['service-orders', 'queues'] as const,
  orders: (query: Query<'/api/v1/service-orders'>) => ['service-orders', 'list', query] as const,
  order: (id: string) => ['service-orders', 'detail', id] as const,
  orderDocuments: (id: string) => ['service-orders', 'detail', id, 'documents'] as const,
  linkCandidates: (id: string) => ['service-orders', 'detail', id, 'link-candidates'] as const,
  devices: (query: Query<'/api/v1/devices'>) => ['devices', 'list', query] as const,
  device: (id: string) => ['devices', 'detail', id] as const,
  warranty: (id: string, query: Query<'/api/v1/devices/{id}/warranty'>) => ['devices', 'detail', id, 'warranty', query] as const,
  events: (id: string) => ['devices', 'detail', id, 'events'] as const,
  customers: (query: Query<'/api/v1/customers'>) => ['customers', 'list', query] as const,
  customer: (id: string) => ['customers', 'detail', id] as const,
  findings: (lang: Lang) => ['organization', 'findings', lang] as const,
  policyPack: ['organization', 'policy-pack'] as const,
  notifications: (query: Query<'/api/v1/notifications'>) => ['notifications', query] as const,
  staff: ['staff-users'] as const,
  apiKeys: ['api-keys'] as const,
  orderPage: (token: string) => ['order-page', 'token', token] as const,
  orderPageDocuments: (token: string) => ['order-page', 'token', token, 'documents'] as const,
  clientAccount: (lang: Lang) => ['client', 'account', lang] as const,
};

/** Signed in: who and which organization; null when signed out (401). */
export const sessionQuery = () =>
  queryOptions({
    queryKey: keys.session,
    queryFn: async ({ signal }) => {
      try {
        const [me, org] = await Promise.all([ok(api.GET('/api/v1/auth/me', { signal })), ok(api.GET('/api/v1/organization', { signal }))]);
        return { me, org };
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
  });

export const queuesQuery = () => queryOptions({ queryKey: keys.queues, queryFn: ({ signal }) => ok(api.GET('/api/v1/service-orders/queues', { signal })) });

export const ordersQuery = (query: Query<'/api/v1/service-orders'>) =>
  queryOptions({ queryKey: keys.orders(query), queryFn: ({ signal }) => ok(api.GET('/api/v1/service-orders', { params: { query }, signal })) });

export const orderQuery = (id: string) =>
  queryOptions({ queryKey: keys.order(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/service-orders/{id}', { params: { path: { id } }, signal })) });

export const orderDocumentsQuery = (id: string) =>
  queryOptions({ queryKey: keys.orderDocuments(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/service-orders/{id}/documents', { params: { path: { id } }, signal })) });

/** The customers and devices a public claim may be about, for staff to link it (issue 15). */
export const linkCandidatesQuery = (id: string) =>
  queryOptions({ queryKey: keys.linkCandidates(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/service-orders/{id}/link-candidates', { params: { path: { id } }, signal })) });

export const devicesQuery = (query: Query<'/api/v1/devices'>) =>
  queryOptions({ queryKey: keys.devices(query), queryFn: ({ signal }) => ok(api.GET('/api/v1/devices', { params: { query }, signal })) });

export const deviceQuery = (id: string) =>
  queryOptions({ queryKey: keys.device(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/devices/{id}', { params: { path: { id } }, signal })) });

export const warrantyQuery = (id: string, query: Query<'/api/v1/devices/{id}/warranty'>) =>
  queryOptions({
    queryKey: keys.warranty(id, query),
    queryFn: ({ signal }) => ok(api.GET('/api/v1/devices/{id}/warranty', { params: { path: { id }, query }, signal })),
    // Another language or date: the answer on screen stays until the new one is here.
    placeholderData: keepPreviousData,
  });

export const eventsQuery = (id: string) =>
  queryOptions({ queryKey: keys.events(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/devices/{id}/events', { params: { path: { id } }, signal })) });

export const customersQuery = (query: Query<'/api/v1/customers'>) =>
  queryOptions({ queryKey: keys.customers(query), queryFn: ({ signal }) => ok(api.GET('/api/v1/customers', { params: { query }, signal })) });

export const customerQuery = (id: string) =>
  queryOptions({ queryKey: keys.customer(id), queryFn: ({ signal }) => ok(api.GET('/api/v1/customers/{id}', { params: { path: { id } }, signal })) });

export const findingsQuery = (lang: Lang) =>
  queryOptions({
    queryKey: keys.findings(lang),
    queryFn: ({ signal }) => ok(api.GET('/api/v1/organization/findings', { params: { query: { lang } }, signal })),
    placeholderData: keepPreviousData,
  });

export const policyPackQuery = () => queryOptions({ queryKey: keys.policyPack, queryFn: ({ signal }) => ok(api.GET('/api/v1/organization/policy-pack', { signal })) });

export const notificationsQuery = (query: Query<'/api/v1/notifications'>) =>
  queryOptions({ queryKey: keys.notifications(query), queryFn: ({ signal }) => ok(api.GET('/api/v1/notifications', { params: { query }, signal })) });

export const staffQuery = () => queryOptions({ queryKey: keys.staff, queryFn: ({ signal }) => ok(api.GET('/api/v1/staff-users', { signal })) });

export const apiKeysQuery = () => queryOptions({ queryKey: keys.apiKeys, queryFn: ({ signal }) => ok(api.GET('/api/v1/api-keys', { signal })) });

export const orderPageQuery = (token: string) =>
  queryOptions({ queryKey: keys.orderPage(token), queryFn: ({ signal }) => ok(api.GET('/api/v1/order-page/{token}', { params: { path: { token } }, signal })) });

export const orderPageDocumentsQuery = (token: string) =>
  queryOptions({
    queryKey: keys.orderPageDocuments(token),
    // The page works without its document links (they are a convenience): a failure lists none.
    queryFn: ({ signal }) => ok(api.GET('/api/v1/order-page/{token}/documents', { params: { path: { token } }, signal })).catch(() => ({ items: [] })),
  });

/** The client's account; null when not signed in (401). */
export const clientAccountQuery = (lang: Lang) =>
  queryOptions({
    queryKey: keys.clientAccount(lang),
    queryFn: async ({ signal }) => {
      try {
        return await ok(api.GET('/api/v1/client/account', { params: { query: { lang } }, signal }));
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    placeholderData: keepPreviousData,
  });

/** What a change to a service order can change: the order, lists and queues, the device's warranty and history, the messages. */
export function invalidateOrder(qc: QueryClient) {
  return Promise.all([
    qc.invalidateQueries({ queryKey: ['service-orders'] }),
    qc.invalidateQueries({ queryKey: ['devices'] }),
    qc.invalidateQueries({ queryKey: ['customers'] }),
    qc.invalidateQueries({ queryKey: ['notifications'] }),
  ]);
}
