import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { OFFICE } from '../../core/actor.ts';
import { decodeCursor, page, PageQuery, toPage, Uuid, type ZApp } from '../../server/http.ts';
import * as repo from './notifications.repository.ts';

export const STATUSES = ['pending', 'sending', 'sent', 'kept', 'failed'] as const;

const Notification = z.object({
  id: z.string(),
  topic: z.string(),
  audience: z.enum(['client', 'staff']),
  channel: z.enum(['email', 'sms', 'none']),
  language: z.string(),
  recipient: z.string().nullable(),
  subject: z.string().nullable(),
  body: z.string(),
  link: z.string().nullable(),
  orderId: z.string().nullable(),
  customerId: z.string().nullable(),
  status: z.enum(STATUSES).describe('kept: not sent (no SMTP configured, log-only SMS, or no address) — pass it on by hand'),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  messageId: z.string().describe('The idempotency marker, sent as the e-mail’s Message-ID'),
  providerId: z.string().nullable(),
  createdAt: z.string(),
  sentAt: z.string().nullable(),
});
z.globalRegistry.add(Notification, { id: 'Notification' });

const view = (n: repo.NotificationRow) => ({
  id: n.id,
  topic: n.topic,
  audience: n.audience as 'client' | 'staff',
  channel: n.channel as 'email' | 'sms' | 'none',
  language: n.language,
  recipient: n.recipient,
  subject: n.subject,
  body: n.body,
  link: n.link,
  orderId: n.order_id,
  customerId: n.customer_id,
  status: n.status as (typeof STATUSES)[number],
  attempts: n.attempts,
  lastError: n.last_error,
  messageId: `<${n.message_key}>`,
  providerId: n.provider_id,
  createdAt: n.created_at.toISOString(),
  sentAt: n.sent_at?.toISOString() ?? null,
});

export async function notificationsRoutes(app: ZApp, deps: AppDeps) {
  const tags = ['notifications'];
  app.get(
    '/api/v1/notifications',
    {
      config: { access: OFFICE },
      schema: {
        operationId: 'listNotifications',
        tags,
        summary: 'Messages to clients and staff with their delivery status, newest first (?status=kept: what no channel carried; ?orderId=: one order’s messages)',
        querystring: PageQuery.extend({ status: z.enum(STATUSES).optional(), orderId: Uuid.optional() }),
        response: { 200: page(Notification) },
      },
    },
    async (req) => {
      const q = req.query;
      const rows = await repo.list(deps.db, actorOf(req).organizationId, { status: q.status, orderId: q.orderId, after: decodeCursor(q.cursor), limit: q.limit });
      return toPage(rows, q.limit, view);
    },
  );
}
