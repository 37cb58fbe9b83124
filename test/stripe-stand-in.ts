// A local stand-in for Stripe's API, for tests (there is no network here). It answers the endpoints
// Aftercare calls with Stripe's JSON shapes — Checkout Sessions, Refunds, PaymentIntents, Prices and
// Payment Links — records
// every request exactly as the official SDK sent it (method, path, Idempotency-Key, the form body
// decoded), replays the first answer for a repeated Idempotency-Key as Stripe does, and plays the
// hosted Checkout page: GET /pay/<session> shows a "Pay" button; pressing it completes the session
// and delivers `checkout.session.completed` to the app's webhook, signed with the SDK's own
// test-header helper, then sends the browser to the session's success_url. A Payment Link's page
// (GET /link/<plink>) does the same through a session the link makes, then follows after_completion.
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import type { Config } from '../src/config.ts';
import { DEMO_NOW, setupApp, type TestContext } from './db.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey?: string;
  authorization?: string;
  /** The form body as the SDK encoded it, flat: `line_items[0][price_data][unit_amount]` → '4900'. */
  form: Record<string, string>;
}

type Obj = Record<string, unknown>;

const rid = (prefix: string) => `${prefix}_test_${crypto.randomBytes(12).toString('hex')}`;

/** Turns the flat form (a[b][0][c]=x) into the nested object Stripe would read. */
export function nest(form: Record<string, string>): Obj {
  const out: Obj = {};
  for (const [k, v] of Object.entries(form)) {
    const keys = k.replace(/\]/g, '').split('[');
    let o: Obj = out;
    keys.forEach((key, i) => {
      if (i === keys.length - 1) o[key] = v;
      else o = (o[key] ??= /^\d+$/.test(keys[i + 1]) ? {} : {}) as Obj;
    });
  }
  return out;
}

export interface StandIn {
  url: string;
  requests: RecordedRequest[];
  sessions: Map<string, Obj>;
  refunds: Map<string, Obj>;
  paymentIntents: Map<string, Obj>;
  prices: Map<string, Obj>;
  paymentLinks: Map<string, Obj>;
  /**
   * The client pays a Payment Link (as on its page): a completed session the link made (its metadata
   * copied, `payment_link` set, the link's price as the amount) and its event; refused for a link
   * switched off or used up.
   */
  payLink(linkId: string, over?: Obj): Obj;
  /** Where /pay/<id> delivers its webhook (the app's POST /api/v1/stripe/webhook). */
  webhookUrl?: string;
  secret: string;
  /** Seconds since the epoch for event `created` and the signature's timestamp (tests pin it). */
  clock: () => number;
  /** Marks a session paid (as Stripe does when the client pays) and returns its completed event. */
  complete(sessionId: string, over?: Obj): Obj;
  /** An event of Stripe's shape around an object. */
  event(type: string, object: Obj): Obj;
  /** A refund Stripe made on its own (the dashboard), for a paid session. */
  dashboardRefund(sessionId: string, amount: number): Obj;
  /** Signs a payload with the SDK's test-header helper. */
  sign(payload: string, secret?: string): string;
  /** The status a new refund gets (Stripe answers `pending` for refunds that settle later); default succeeded. */
  refundStatus: 'succeeded' | 'pending';
  /** Runs after a refund is made and before its answer is sent (a test delivers a webhook "before the answer" here). */
  beforeRefundAnswer?: (refund: Obj) => Promise<void>;
  /** Stripe fails a refund later (a closed card): its status becomes failed with this reason; returns the refund. */
  failRefund(refundId: string, reason?: string): Obj;
  close(): Promise<void>;
}

export async function startStripeStandIn(opts: { secret: string; clock: () => number }): Promise<StandIn> {
  const requests: RecordedRequest[] = [];
  const sessions = new Map<string, Obj>();
  const refunds = new Map<string, Obj>();
  const paymentIntents = new Map<string, Obj>();
  const prices = new Map<string, Obj>();
  const paymentLinks = new Map<string, Obj>();
  const idem = new Map<string, { status: number; body: unknown }>();
  const stripe = new Stripe('sk_test_standin');

  const s: StandIn = {
    url: '',
    requests,
    sessions,
    refunds,
    paymentIntents,
    prices,
    paymentLinks,
    secret: opts.secret,
    clock: opts.clock,
    complete(sessionId, over = {}) {
      const cs = sessions.get(sessionId);
      if (!cs) throw new Error(`no session ${sessionId}`);
      const pi = rid('pi');
      const charge = rid('ch');
      paymentIntents.set(pi, { id: pi, object: 'payment_intent', amount: cs.amount_total, amount_received: cs.amount_total, currency: cs.currency, status: 'succeeded', latest_charge: charge, metadata: (cs.payment_intent_data as Obj | undefined)?.metadata ?? {}, livemode: false, created: s.clock() });
      Object.assign(cs, { status: 'complete', payment_status: 'paid', payment_intent: pi, _charge: charge }, over);
      return s.event('checkout.session.completed', publicSession(cs));
    },
    payLink(linkId, over = {}) {
      const link = paymentLinks.get(linkId);
      if (!link) throw new Error(`no payment link ${linkId}`);
      const r = link.restrictions as { completed_sessions: { count: number; limit: number } } | null;
      if (!link.active || (r && r.completed_sessions.count >= r.completed_sessions.limit)) throw new Error(`payment link ${linkId} is not active`);
      const price = prices.get(String((link._line_items as { price: string }[])[0].price))!;
      const id = rid('cs');
      const amount = Number(price.unit_amount);
      sessions.set(id, {
        id,
        object: 'checkout.session',
        amount_subtotal: amount,
        amount_total: amount,
        currency: price.currency,
        client_reference_id: null,
        customer_email: null,
        metadata: { ...(link.metadata as Obj) },
        mode: 'payment',
        payment_link: link.id,
        payment_intent: null,
        payment_status: 'unpaid',
        status: 'open',
        success_url: null,
        cancel_url: null,
        url: null,
        created: s.clock(),
        expires_at: s.clock() + 24 * 3600,
        livemode: false,
        payment_intent_data: link.payment_intent_data,
      });
      if (r) r.completed_sessions.count++;
      return s.complete(id, over);
    },
    event(type, object) {
      return { id: rid('evt'), object: 'event', api_version: '2026-10-28.endive', created: s.clock(), livemode: false, pending_webhooks: 1, request: { id: null, idempotency_key: null }, type, data: { object } };
    },
    dashboardRefund(sessionId, amount) {
      const cs = sessions.get(sessionId)!;
      const re = refundObject({ amount, currency: cs.currency as string, payment_intent: cs.payment_intent as string, charge: cs._charge as string, metadata: {} });
      refunds.set(re.id as string, re);
      return re;
    },
    refundStatus: 'succeeded',
    failRefund(refundId, reason = 'expired_or_canceled_card') {
      const re = refunds.get(refundId);
      if (!re) throw new Error(`no refund ${refundId}`);
      Object.assign(re, { status: 'failed', failure_reason: reason });
      return { ...re };
    },
    sign(payload, secret = opts.secret) {
      return stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp: s.clock() });
    },
    async close() {
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  function refundObject(f: { amount: number; currency: string; payment_intent: string; charge: string; metadata: Obj }): Obj {
    return { id: rid('re'), object: 'refund', amount: f.amount, currency: f.currency, payment_intent: f.payment_intent, charge: f.charge, status: 'succeeded', failure_reason: null, metadata: f.metadata, reason: null, created: s.clock() };
  }

  function publicLink(l: Obj): Obj {
    const { _line_items: _l, ...rest } = l;
    return rest;
  }

  function publicSession(cs: Obj): Obj {
    const { _charge: _c, payment_intent_data: _p, line_items: _l, ...rest } = cs;
    return rest;
  }

  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      void route(req, res, body).catch((e) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(e) } }));
      });
    });
  });

  const send = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': rid('req') });
    res.end(JSON.stringify(body));
  };
  const stripeError = (status: number, message: string, param?: string) => ({ status, body: { error: { type: 'invalid_request_error', message, ...(param ? { param } : {}) } } });

  async function route(req: http.IncomingMessage, res: http.ServerResponse, raw: string) {
    const url = new URL(req.url ?? '/', s.url);
    const path = url.pathname;
    // The hosted Checkout page and a Payment Link's page (the browser journeys).
    if (path.startsWith('/pay/')) return hostedPage(req, res, path);
    if (path.startsWith('/link/')) return linkPage(req, res, path);
    const form = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : raw));
    const key = req.headers['idempotency-key'] as string | undefined;
    requests.push({ method: req.method!, path, idempotencyKey: key, authorization: req.headers.authorization, form });
    if (key && idem.has(`${path}:${key}`)) {
      const r = idem.get(`${path}:${key}`)!;
      return send(res, r.status, r.body);
    }
    const r = answer(req.method!, path, nest(form));
    if (key) idem.set(`${path}:${key}`, { status: r.status, body: r.body });
    if (r.after) await r.after();
    send(res, r.status, r.body);
  }

  function answer(method: string, path: string, p: Obj): { status: number; body: unknown; after?: () => Promise<void> } {
    let m: RegExpExecArray | null;
    if (method === 'POST' && path === '/v1/checkout/sessions') {
      const items = p.line_items as Record<string, { price_data: { currency: string; unit_amount: string; product_data: { name: string } }; quantity: string }> | undefined;
      const first = items?.['0'];
      if (!first) return stripeError(400, 'Missing required param: line_items.', 'line_items');
      if (!p.success_url) return stripeError(400, 'Missing required param: success_url.', 'success_url');
      const amount = Number(first.price_data.unit_amount) * Number(first.quantity ?? 1);
      const id = rid('cs');
      const cs: Obj = {
        id,
        object: 'checkout.session',
        amount_subtotal: amount,
        amount_total: amount,
        currency: first.price_data.currency,
        client_reference_id: p.client_reference_id ?? null,
        customer_email: p.customer_email ?? null,
        metadata: p.metadata ?? {},
        mode: p.mode,
        payment_intent: null,
        payment_status: 'unpaid',
        status: 'open',
        success_url: p.success_url,
        cancel_url: p.cancel_url ?? null,
        url: `${s.url}/pay/${id}`,
        created: s.clock(),
        expires_at: s.clock() + 24 * 3600,
        livemode: false,
        payment_intent_data: p.payment_intent_data,
        line_items: items,
      };
      sessions.set(id, cs);
      return { status: 200, body: publicSession(cs) };
    }
    if (method === 'POST' && path === '/v1/prices') {
      const pd = p.product_data as { name?: string } | undefined;
      if (!p.currency) return stripeError(400, 'Missing required param: currency.', 'currency');
      if (p.unit_amount === undefined) return stripeError(400, 'Missing required param: unit_amount.', 'unit_amount');
      if (!pd?.name && !p.product) return stripeError(400, 'Missing required param: product.', 'product');
      const id = rid('price');
      const price: Obj = { id, object: 'price', active: true, billing_scheme: 'per_unit', created: s.clock(), currency: p.currency, livemode: false, lookup_key: null, metadata: p.metadata ?? {}, nickname: null, product: p.product ?? rid('prod'), recurring: null, tax_behavior: 'unspecified', type: 'one_time', unit_amount: Number(p.unit_amount), unit_amount_decimal: String(p.unit_amount) };
      prices.set(id, price);
      return { status: 200, body: price };
    }
    if (method === 'POST' && path === '/v1/payment_links') {
      const items = p.line_items as Record<string, { price: string; quantity: string }> | undefined;
      const first = items?.['0'];
      if (!first) return stripeError(400, 'Missing required param: line_items.', 'line_items');
      const price = prices.get(first.price);
      if (!price) return stripeError(400, `No such price: '${first.price}'`, 'line_items[0][price]');
      const ac = p.after_completion as { type: string; redirect?: { url: string } } | undefined;
      const limit = (p.restrictions as { completed_sessions?: { limit: string } } | undefined)?.completed_sessions?.limit;
      const id = rid('plink');
      const link: Obj = {
        id,
        object: 'payment_link',
        active: true,
        after_completion: ac ? { type: ac.type, ...(ac.type === 'redirect' ? { redirect: { url: ac.redirect?.url } } : { hosted_confirmation: { custom_message: null } }) } : { type: 'hosted_confirmation', hosted_confirmation: { custom_message: null } },
        currency: price.currency,
        livemode: false,
        metadata: p.metadata ?? {},
        payment_intent_data: p.payment_intent_data ? { metadata: {}, ...(p.payment_intent_data as Obj) } : null,
        restrictions: limit ? { completed_sessions: { count: 0, limit: Number(limit) } } : null,
        url: `${s.url}/link/${id}`,
        _line_items: [{ price: first.price, quantity: Number(first.quantity ?? 1) }],
      };
      paymentLinks.set(id, link);
      return { status: 200, body: publicLink(link) };
    }
    if ((m = /^\/v1\/payment_links\/([^/]+)$/.exec(path))) {
      const link = paymentLinks.get(m[1]);
      if (!link) return stripeError(404, `No such payment_link: '${m[1]}'`, 'id');
      if (method === 'POST' && p.active !== undefined) link.active = p.active === 'true';
      return { status: 200, body: publicLink(link) };
    }
    if (method === 'GET' && (m = /^\/v1\/checkout\/sessions\/([^/]+)$/.exec(path))) {
      const cs = sessions.get(m[1]);
      return cs ? { status: 200, body: publicSession(cs) } : stripeError(404, `No such checkout.session: '${m[1]}'`, 'id');
    }
    if (method === 'GET' && (m = /^\/v1\/payment_intents\/([^/]+)$/.exec(path))) {
      const pi = paymentIntents.get(m[1]);
      return pi ? { status: 200, body: pi } : stripeError(404, `No such payment_intent: '${m[1]}'`, 'id');
    }
    if (method === 'POST' && path === '/v1/refunds') {
      const pi = paymentIntents.get(String(p.payment_intent));
      if (!pi) return stripeError(404, `No such payment_intent: '${String(p.payment_intent)}'`, 'payment_intent');
      const already = [...refunds.values()].filter((r) => r.payment_intent === pi.id).reduce((a, r) => a + Number(r.amount), 0);
      const amount = p.amount === undefined ? Number(pi.amount_received) - already : Number(p.amount);
      if (amount + already > Number(pi.amount_received)) return stripeError(400, `Refund amount (${amount}) is greater than unrefunded amount on charge`, 'amount');
      const re = refundObject({ amount, currency: pi.currency as string, payment_intent: pi.id as string, charge: pi.latest_charge as string, metadata: (p.metadata as Obj) ?? {} });
      re.status = s.refundStatus;
      refunds.set(re.id as string, re);
      return { status: 200, body: { ...re }, after: s.beforeRefundAnswer ? () => s.beforeRefundAnswer!({ ...re }) : undefined };
    }
    return stripeError(404, `Unrecognized request URL (${method}: ${path}).`);
  }

  async function hostedPage(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    const m = /^\/pay\/([^/]+?)(\/confirm)?$/.exec(path);
    const cs = m && sessions.get(m[1]);
    if (!m || !cs) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('No such checkout session');
    }
    if (req.method === 'POST' && m[2]) {
      const event = s.complete(m[1]);
      const payload = JSON.stringify(event);
      if (s.webhookUrl) {
        const r = await fetch(s.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': s.sign(payload) }, body: payload });
        if (!r.ok) throw new Error(`webhook answered ${r.status}: ${await r.text()}`);
      }
      res.writeHead(303, { location: String(cs.success_url).replace('{CHECKOUT_SESSION_ID}', m[1]) });
      return res.end();
    }
    const amount = (Number(cs.amount_total) / 100).toFixed(2);
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Stripe Checkout (test stand-in)</title></head><body>
<main><h1>Pay ${amount} ${String(cs.currency).toUpperCase()}</h1>
<form method="post" action="/pay/${m[1]}/confirm"><button type="submit">Pay</button></form></main></body></html>`);
  }

  async function linkPage(req: http.IncomingMessage, res: http.ServerResponse, path: string) {
    const m = /^\/link\/([^/]+?)(\/confirm)?$/.exec(path);
    const link = m && paymentLinks.get(m[1]);
    if (!m || !link) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('No such payment link');
    }
    const r = link.restrictions as { completed_sessions: { count: number; limit: number } } | null;
    if (!link.active || (r && r.completed_sessions.count >= r.completed_sessions.limit)) {
      res.writeHead(410, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><html lang="en"><head><title>Link unavailable</title></head><body><main><h1>This link is no longer active</h1></main></body></html>');
    }
    if (req.method === 'POST' && m[2]) {
      const event = s.payLink(m[1]);
      const payload = JSON.stringify(event);
      if (s.webhookUrl) {
        const w = await fetch(s.webhookUrl, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': s.sign(payload) }, body: payload });
        if (!w.ok) throw new Error(`webhook answered ${w.status}: ${await w.text()}`);
      }
      const ac = link.after_completion as { type: string; redirect?: { url: string } };
      if (ac.type === 'redirect' && ac.redirect?.url) {
        res.writeHead(303, { location: ac.redirect.url.replace('{CHECKOUT_SESSION_ID}', String((event.data as { object: Obj }).object.id)) });
        return res.end();
      }
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      return res.end('<!doctype html><html lang="en"><head><title>Paid</title></head><body><main><h1>Thanks for your payment</h1></main></body></html>');
    }
    const price = prices.get(String((link._line_items as { price: string }[])[0].price))!;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><head><title>Stripe Payment Link (test stand-in)</title></head><body>
<main><h1>Pay ${(Number(price.unit_amount) / 100).toFixed(2)} ${String(price.currency).toUpperCase()}</h1>
<form method="post" action="/link/${m[1]}/confirm"><button type="submit">Pay</button></form></main></body></html>`);
  }

  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return s;
}

export interface StripeApp {
  /** The app (real PostgreSQL, demo data) with Stripe's keys pointing at the stand-in. */
  t: TestContext;
  s: StandIn;
  /** The pinned moment the app, the stand-in's events and their signatures share; move it with `now.setTime(...)`. */
  now: Date;
  secret: string;
  /** Delivers an event to the app's webhook, signed with the SDK's test-header helper (or `signature`). */
  deliver(event: object, signature?: string): Promise<Awaited<ReturnType<TestContext['app']['inject']>>>;
  close(): Promise<void>;
}

/**
 * The set-up every online-payment test shares: the stand-in, an app whose STRIPE_SECRET_KEY /
 * STRIPE_WEBHOOK_SECRET / STRIPE_API_URL point at it, and one pinned clock for both (DEMO_NOW unless
 * `at`). `name` keeps each file's keys its own.
 */
export async function withStripeApp(opts: { name: string; publicUrl?: string; at?: Date; config?: Partial<Config>; demo?: boolean }): Promise<StripeApp> {
  const secret = `whsec_${opts.name}`;
  const now = new Date((opts.at ?? DEMO_NOW).getTime());
  const s = await startStripeStandIn({ secret, clock: () => Math.floor(now.getTime() / 1000) });
  const t = await setupApp({
    ...(opts.demo === false ? { demo: false } : {}),
    config: { stripe: { secretKey: `sk_test_${opts.name}`, webhookSecret: secret, apiUrl: s.url }, ...(opts.publicUrl ? { publicUrl: opts.publicUrl } : {}), ...opts.config },
    now: () => now,
  });
  return {
    t,
    s,
    now,
    secret,
    deliver(event, signature) {
      const payload = JSON.stringify(event);
      return t.app.inject({ method: 'POST', url: '/api/v1/stripe/webhook', headers: { 'content-type': 'application/json', 'stripe-signature': signature ?? s.sign(payload) }, payload });
    },
    async close() {
      await t.close();
      await s.close();
    },
  };
}
