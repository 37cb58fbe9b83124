// The client's order page (SC-3): no sign-in. Reached with the unguessable link's token, or with the
// business, the order number and the client's phone or e-mail. Shows this order only: status,
// timeline, the quote with accept / refuse, what is due, documents. Rate-limited; a wrong token or
// pair is a plain 404. Issue 15: a link stops working ORDER_PAGE_LINK_DAYS after the order closes;
// the lookup is limited per address, per order number and per contact, and a decision there needs
// a one-time code sent to the contact on the order.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { AppError, CoreErrors, problem } from '../../core/errors.ts';
import { orgIdBySlug } from '../../core/organization.ts';
import { type ZApp } from '../../server/http.ts';
import { DOCUMENT_TICKET_MINUTES, documentsOf, documentTicket } from '../documents/documents.service.ts';
import { ProofFile } from '../proofs/proofs.contract.ts';
import { listProofs } from '../proofs/proofs.service.ts';
import { stripeEnabled } from '../stripe/stripe.service.ts';
import * as svc from '../service-orders/service-orders.service.ts';
import { STATES } from '../service-orders/state-machine.ts';

import { rateLimiter } from '../../core/rate-limit.ts';
import { OrderPageErrors } from './order-page.errors.ts';
import * as page from './order-page.service.ts';
import { nextSteps } from './next-steps.ts';

const OrderPage = z.object({
  business: z.string(),
  number: z.string(),
  state: z.enum(STATES),
  device: z.object({ manufacturer: z.string(), model: z.string().nullable(), serial: z.string() }).nullable().describe('For a web claim staff have not linked yet: the device as the client named it'),
  problem: z.string(),
  underWarranty: z.boolean().nullable(),
  situation: svc.SituationSchema,
  quote: z.record(z.string(), z.unknown()).nullable(),
  decisionWindow: z.object({ due: z.string(), status: z.string(), rule: z.string() }).nullable(),
  canDecide: z.boolean(),
  canAccept: z.boolean().describe('False once the decision window has ended (SC-6): the quote can then only be refused'),
  rights: z
    .array(z.object({ type: z.enum(['terminate', 'price-reduction', 'refund']), rule: z.string(), text: z.string() }))
    .describe('The consumer’s rights as they arise: a month without a fix (ITEMA-18/31), a fourth fault after three repairs (ITEMA-32)'),
  due: z.object({ charges: z.array(z.object({ kind: z.string(), amountMinor: z.number().int(), currency: z.string(), rule: z.string().nullable() })), paidMinor: z.number().int(), balanceMinor: z.number().int(), currency: z.string() }),
  timeline: z.array(z.object({ at: z.string(), step: z.string(), state: z.string().nullable() })),
  documents: z.array(z.object({ id: z.string(), kind: z.string(), filename: z.string(), url: z.string().nullable().describe(`Download link: with the page link, the link's own; opened by number and contact, a download token for this document only that works ${DOCUMENT_TICKET_MINUTES} minutes (look the order up again for new ones)`) })),
  proofFiles: z.array(ProofFile).describe('Proof files sent with the claim (links only with the page link)'),
  openedBy: z.enum(['link', 'lookup']).describe('How the page was opened: by its link, or by order number and contact (then a decision needs a one-time code: POST /api/v1/order-page/lookup/code)'),
  link: z
    .object({
      expiresAt: z.string().nullable().describe('When this link stops working; null while the order is open'),
      daysAfterClose: z.number().int().describe('Links work this many days after the order is closed (ORDER_PAGE_LINK_DAYS)'),
    })
    .nullable()
    .describe('The link’s lifetime (null when opened by number and contact)'),
  deposit: z
    .object({ percent: z.number(), amountMinor: z.number().int(), dueMinor: z.number().int().describe('What of the deposit is still to pay (what was paid counts toward it)') })
    .nullable()
    .describe("The deposit the business asks once the quote is accepted (its policy's settings.deposit); null when it asks none"),
  nextSteps: z
    .object({
      accept: z.object({ expectedBy: z.string().nullable().describe('When the repair is expected ready (YYYY-MM-DD): the date promised at intake, else the quote’s duration from the acceptance; null when neither says') }),
      refuse: z.object({
        fees: z.array(z.object({ kind: z.string(), amountMinor: z.number().int(), currency: z.string(), rule: z.string().nullable() })).describe('What the policy charges when the quote is refused (once refused: what was charged)'),
        pickup: z.object({ name: z.string(), address: z.string().nullable(), phone: z.string().nullable(), openingHours: z.string().nullable() }).nullable().describe('Where the device is collected'),
      }),
    })
    .nullable()
    .describe('Issue 16: what happens after accepting or refusing the quote (null when there is no quote to decide)'),
  onlinePayment: z
    .boolean()
    .describe('Whether what is due (or the deposit) can be paid online here (Stripe is set up): POST /api/v1/order-page/{token}/checkout, or /api/v1/order-page/lookup/checkout for a page opened by number and contact'),
  version: z.number().int(),
});
z.globalRegistry.add(OrderPage, { id: 'OrderPage' });

const Token = z.object({ token: z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/) });
const Lookup = z.object({
  organization: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'is not a business id like itema-pg').describe('The business (its slug, as in /order?org=itema-pg)'),
  number: z.string().trim().min(5).max(40),
  contact: z.string().trim().min(3).max(320).describe("The client's phone or e-mail"),
});
const Decision = z.object({ decision: z.enum(['accept', 'refuse']), version: z.number().int() });
const Pay = z.object({ what: z.enum(['due', 'deposit']).default('due').describe('due (default): what the order has due now; deposit: what is left of the deposit the business asks') });
const CheckoutStarted = z.object({ url: z.string(), sessionId: z.string(), checkoutId: z.string() });
const Code = z.string().regex(/^\d{6}$/, 'must be the 6 digits we sent').describe('The one-time code sent to the contact (POST /api/v1/order-page/lookup/code)');
const gone = () => problem(CoreErrors, 'not-found', 'No order for this link or these details');
const LOOKUP_WINDOW = 15 * 60_000;

export async function orderPageRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  const tags = ['order page'];
  const limit = rateLimiter(deps.db, { name: 'order-page', max: 60, windowMs: 60_000 });
  // Number and contact are guessable where a link is not: per address, per order number (numbers run
  // in sequence) and per contact (a known phone tried against many numbers), in PostgreSQL.
  const lookupIp = rateLimiter(deps.db, { name: 'order-lookup-ip', max: 20, windowMs: LOOKUP_WINDOW });
  const lookupNumber = rateLimiter(deps.db, { name: 'order-lookup-number', max: 10, windowMs: LOOKUP_WINDOW });
  const lookupContact = rateLimiter(deps.db, { name: 'order-lookup-contact', max: 10, windowMs: LOOKUP_WINDOW });
  const codeSends = rateLimiter(deps.db, { name: 'order-lookup-code-send', max: 3, windowMs: LOOKUP_WINDOW });
  const codeTries = rateLimiter(deps.db, { name: 'order-lookup-code-try', max: 5, windowMs: LOOKUP_WINDOW });

  /** The order the business, number and contact name, after every limit; a miss is a plain 404. */
  async function lookUp(ip: string, b: z.infer<typeof Lookup>) {
    await limit(ip);
    await lookupIp(ip);
    await lookupNumber(`${b.organization}:${svc.normalizeOrderNumber(b.number)}`);
    const contact = b.contact.includes('@') ? b.contact.trim().toLowerCase() : b.contact.replace(/\D/g, '');
    await lookupContact(`${b.organization}:${contact}`);
    const orgId = await orgIdBySlug(deps.db, b.organization);
    const hit = orgId ? await svc.byNumberAndContact(deps.db, orgId, b.number, b.contact) : undefined;
    if (!hit) throw gone();
    return hit;
  }

  /** The order a link opens; an expired link says so (its holder once had the page). */
  async function byLink(token: string) {
    const l = await svc.pageLink(deps, token);
    if (!l) throw gone();
    if (l.expired) {
      throw problem(OrderPageErrors, 'page-link-expired', `This link stopped working on ${l.endsAt!.toISOString()}; ask the business for a new one`, { expiredAt: l.endsAt!.toISOString(), organization: l.orgSlug });
    }
    return l;
  }
  const linkInfo = (l: { endsAt: Date | null }) => ({ expiresAt: l.endsAt?.toISOString() ?? null, daysAfterClose: deps.config.orderPageLinkDays });

  app.get(
    '/api/v1/order-page/:token',
    { config: { access: 'public', problems: ['rate-limited', 'not-found', 'page-link-expired'] }, schema: { operationId: 'getOrderPageByToken', tags, summary: "The client's order page", params: Token, response: { 200: OrderPage } } },
    async (req) => {
      await limit(req.ip);
      const l = await byLink(req.params.token);
      return present(deps, l.order, await svc.pageView(deps.db, l.order, now()), now(), { token: req.params.token, link: linkInfo(l) });
    },
  );

  app.post(
    '/api/v1/order-page/:token/decision',
    { config: { access: 'public', problems: ['rate-limited', 'page-link-expired', ...svc.CLIENT_DECISION_PROBLEMS] }, schema: { operationId: 'decideQuoteByToken', tags, summary: 'Accept or refuse the quote (SC-3, SC-7)', params: Token, body: Decision, response: { 200: OrderPage } } },
    async (req) => {
      await limit(req.ip);
      const l = await byLink(req.params.token);
      const o = await decide(deps, l.order, req.body, now());
      return present(deps, o, await svc.pageView(deps.db, o, now()), now(), { token: req.params.token, link: linkInfo(l) });
    },
  );

  app.post(
    '/api/v1/order-page/:token/checkout',
    {
      config: { access: 'public', problems: ['rate-limited', 'not-found', 'page-link-expired', ...svc.ORDER_CHECKOUT_PROBLEMS] },
      schema: {
        operationId: 'createOrderPageCheckout',
        tags,
        summary: "Pay what is due on the order (or the deposit asked) online: a Stripe Checkout page's address (the same one for a retry); the payment is recorded, with its receipt, when Stripe confirms it",
        params: Token,
        body: Pay.nullish(),
        response: { 200: CheckoutStarted },
      },
    },
    async (req) => {
      await limit(req.ip);
      const l = await byLink(req.params.token);
      const base = deps.config.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
      const back = `${base}/order/${req.params.token}?lang=${l.order.language ?? 'en'}`;
      return svc.startOrderCheckout(deps, l.order, { successUrl: `${back}&paid=1`, cancelUrl: back }, req.body?.what ?? 'due');
    },
  );

  app.post(
    '/api/v1/order-page/lookup/checkout',
    {
      config: { access: 'public', problems: ['rate-limited', 'not-found', ...svc.ORDER_CHECKOUT_PROBLEMS] },
      schema: {
        operationId: 'createOrderPageCheckoutByLookup',
        tags,
        summary:
          "Pay what is due (or the deposit asked) on the order found by the business, its number and the phone or e-mail on it: a Stripe Checkout page's address. Rate-limited like the lookup; paying decides nothing, so no one-time code is asked, and Stripe's page is given no contact of the client",
        body: Lookup.extend(Pay.shape),
        response: { 200: CheckoutStarted },
      },
    },
    async (req) => {
      const { order } = await lookUp(req.ip, req.body);
      const base = deps.config.publicUrl?.replace(/\/+$/, '') ?? `${req.protocol}://${req.host}`;
      // Back to the lookup (the number and contact stay out of the URL): the client looks the order up again.
      const back = `${base}/order?org=${encodeURIComponent(req.body.organization)}&lang=${order.language ?? 'en'}`;
      return svc.startOrderCheckout(deps, order, { successUrl: `${back}&paid=1`, cancelUrl: back }, req.body.what);
    },
  );

  app.post(
    '/api/v1/order-page/lookup',
    {
      config: { access: 'public', problems: ['rate-limited', 'not-found'] },
      schema: { operationId: 'lookupOrderPage', tags, summary: "The order page by the business, the order number and the phone or e-mail on the order (rate-limited per address, number and contact)", body: Lookup, response: { 200: OrderPage } },
    },
    async (req) => {
      const { order } = await lookUp(req.ip, req.body);
      return present(deps, order, await svc.pageView(deps.db, order, now()), now(), undefined, true);
    },
  );

  app.post(
    '/api/v1/order-page/lookup/code',
    {
      config: { access: 'public', problems: ['rate-limited', 'not-found'] },
      schema: {
        operationId: 'sendOrderPageCode',
        tags,
        summary: 'Send a one-time code to the phone or e-mail on the order (the one given), needed to accept or refuse the quote by number and contact',
        body: Lookup,
        response: { 202: z.object({ sentVia: z.enum(['email', 'sms']), expiresAt: z.string().describe('The code works once, until then (10 minutes)') }) },
      },
    },
    async (req, reply) => {
      const { order, matched } = await lookUp(req.ip, req.body);
      await codeSends(order.id);
      return reply.status(202).send(await page.sendCode(deps.db, order, matched, now()));
    },
  );

  app.post(
    '/api/v1/order-page/lookup/decision',
    {
      config: { access: 'public', problems: ['rate-limited', 'invalid-code', ...svc.CLIENT_DECISION_PROBLEMS] },
      schema: {
        operationId: 'decideQuoteByLookup',
        tags,
        summary: 'Accept or refuse the quote, by the business, order number and phone or e-mail, with the one-time code sent to that contact',
        body: Lookup.extend(Decision.shape).extend({ code: Code }),
        response: { 200: OrderPage },
      },
    },
    async (req) => {
      const { order } = await lookUp(req.ip, req.body);
      await codeTries(order.id);
      const o = await decide(deps, order, req.body, now(), page.codeGuard(req.body.code, now()));
      return present(deps, o, await svc.pageView(deps.db, o, now()), now(), undefined, true);
    },
  );
}

/**
 * The order's documents as its state allows (issue 5): with the page link, its download links; found
 * by number and contact (`lookedUp`: after the lookup's limits), a short-lived download token per
 * document (issue 16). Proof files keep their links for the page link only.
 */
async function present<V extends Parameters<typeof nextSteps>[2]>(deps: AppDeps, o: svc.OrderRow, view: V, at: Date, opened?: { token: string; link: { expiresAt: string | null; daysAfterClose: number } }, lookedUp = false) {
  const token = opened?.token;
  const docs = await documentsOf(deps.db, o, `/api/v1/order-page/${token ?? ''}`);
  const proofFiles = await listProofs(deps.db, o.organization_id, o.id, token ? `/api/v1/order-page/${token}` : null);
  return {
    ...view,
    documents: docs.map((d) => ({ id: d.kind, kind: d.kind, filename: d.filename, url: token ? d.url : lookedUp ? `/api/v1/order-page/${documentTicket(deps.config, o, d.kind, at)}/documents/${d.kind}.pdf` : null })),
    nextSteps: await nextSteps(deps.db, o, view, at),
    proofFiles,
    openedBy: token ? ('link' as const) : ('lookup' as const),
    link: opened?.link ?? null,
    onlinePayment: stripeEnabled(deps.config),
  };
}

/** The client's accept or refuse; the fresh order. `guard` runs under the order's lock (the one-time code). */
async function decide(deps: AppDeps, o: svc.OrderRow, body: { decision: 'accept' | 'refuse'; version: number }, now: Date, guard?: Parameters<typeof svc.act>[5]) {
  const actor = svc.clientActor(o.organization_id);
  try {
    await svc.act(deps.db, actor, o.id, { action: body.decision, via: 'order-page', version: body.version }, now, guard);
  } catch (e) {
    // The staff view of the order is not the client's: keep only the code and message (and the fields).
    if (e instanceof AppError) throw e.withExtra(e.code === 'version-conflict' ? { current: await svc.pageView(deps.db, o, now) } : e.code === 'invalid-code' ? e.extra : {});
    throw e;
  }
  return (await svc.orderRow(deps.db, o.organization_id, o.id))!;
}
