// The client's order page (SC-3): no sign-in. Reached with the unguessable link's token, or with the
// order number plus the client's phone or e-mail. Shows this order only: status, timeline, the quote
// with accept / refuse, what is due, documents. Rate-limited; a wrong token or pair is a plain 404.
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { AppError, CoreErrors, problem } from '../../core/errors.ts';
import { type ZApp } from '../../server/http.ts';
import { documentsOf } from '../documents/documents.service.ts';
import { ProofFile } from '../proofs/proofs.contract.ts';
import { listProofs } from '../proofs/proofs.service.ts';
import * as svc from '../service-orders/service-orders.service.ts';
import { STATES } from '../service-orders/state-machine.ts';
import { rateLimiter } from '../../core/rate-limit.ts';

const OrderPage = z.object({
  business: z.string(),
  number: z.string(),
  state: z.enum(STATES),
  device: z.object({ manufacturer: z.string(), model: z.string().nullable(), serial: z.string() }).nullable(),
  problem: z.string(),
  underWarranty: z.boolean().nullable(),
  quote: z.record(z.string(), z.unknown()).nullable(),
  decisionWindow: z.object({ due: z.string(), status: z.string(), rule: z.string() }).nullable(),
  canDecide: z.boolean(),
  canAccept: z.boolean().describe('False once the decision window has ended (SC-6): the quote can then only be refused'),
  rights: z
    .array(z.object({ type: z.enum(['terminate', 'price-reduction', 'refund']), rule: z.string(), text: z.string() }))
    .describe('The consumer’s rights as they arise: a month without a fix (ITEMA-18/31), a fourth fault after three repairs (ITEMA-32)'),
  due: z.object({ charges: z.array(z.object({ kind: z.string(), amountMinor: z.number().int(), currency: z.string(), rule: z.string().nullable() })), paidMinor: z.number().int(), balanceMinor: z.number().int(), currency: z.string() }),
  timeline: z.array(z.object({ at: z.string(), step: z.string(), state: z.string().nullable() })),
  documents: z.array(z.object({ id: z.string(), kind: z.string(), filename: z.string(), url: z.string().nullable().describe('Download link (with the page link; null when the page was opened by number and contact)') })),
  proofFiles: z.array(ProofFile).describe('Proof files sent with the claim (links only with the page link)'),
  version: z.number().int(),
});
z.globalRegistry.add(OrderPage, { id: 'OrderPage' });

const Token = z.object({ token: z.string().min(20).max(100).regex(/^[A-Za-z0-9_-]+$/) });
const Lookup = z.object({ number: z.string().min(5).max(40), contact: z.string().min(3).max(320).describe("The client's phone or e-mail") });
const Decision = z.object({ decision: z.enum(['accept', 'refuse']), version: z.number().int() });
const gone = () => problem(CoreErrors, 'not-found', 'No order for this link or these details');

export async function orderPageRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  const tags = ['order page'];
  const limit = rateLimiter(deps.db, { name: 'order-page', max: 60, windowMs: 60_000 });

  app.get(
    '/api/v1/order-page/:token',
    { config: { access: 'public', problems: ['rate-limited', 'not-found'] }, schema: { operationId: 'getOrderPageByToken', tags, summary: "The client's order page", params: Token, response: { 200: OrderPage } } },
    async (req) => {
      await limit(req.ip);
      const o = await svc.byToken(deps.db, req.params.token);
      if (!o) throw gone();
      return withDocuments(deps, o, await svc.pageView(deps.db, o, now()), req.params.token);
    },
  );

  app.post(
    '/api/v1/order-page/:token/decision',
    { config: { access: 'public', problems: ['rate-limited', ...svc.CLIENT_DECISION_PROBLEMS] }, schema: { operationId: 'decideQuoteByToken', tags, summary: 'Accept or refuse the quote (SC-3, SC-7)', params: Token, body: Decision, response: { 200: OrderPage } } },
    async (req) => {
      await limit(req.ip);
      return decideOnPage(deps, () => svc.byToken(deps.db, req.params.token), req.body, now(), req.params.token);
    },
  );

  app.post(
    '/api/v1/order-page/lookup',
    { config: { access: 'public', problems: ['rate-limited', 'not-found'] }, schema: { operationId: 'lookupOrderPage', tags, summary: 'The order page by order number and the phone or e-mail on the order', body: Lookup, response: { 200: OrderPage } } },
    async (req) => {
      await limit(req.ip);
      const o = await svc.byNumberAndContact(deps.db, req.body.number, req.body.contact);
      if (!o) throw gone();
      return withDocuments(deps, o, await svc.pageView(deps.db, o, now()));
    },
  );

  app.post(
    '/api/v1/order-page/lookup/decision',
    { config: { access: 'public', problems: ['rate-limited', ...svc.CLIENT_DECISION_PROBLEMS] }, schema: { operationId: 'decideQuoteByLookup', tags, summary: 'Accept or refuse the quote, by order number and phone or e-mail', body: Lookup.extend(Decision.shape), response: { 200: OrderPage } } },
    async (req) => {
      await limit(req.ip);
      return decideOnPage(deps, () => svc.byNumberAndContact(deps.db, req.body.number, req.body.contact), req.body, now());
    },
  );
}

/** The order's documents as its state allows (issue 5); download links only with the page link. */
async function withDocuments<V extends object>(deps: AppDeps, o: svc.OrderRow, view: V, token?: string) {
  const docs = await documentsOf(deps.db, o, `/api/v1/order-page/${token ?? ''}`);
  const proofFiles = await listProofs(deps.db, o.organization_id, o.id, token ? `/api/v1/order-page/${token}` : null);
  return { ...view, documents: docs.map((d) => ({ id: d.kind, kind: d.kind, filename: d.filename, url: token ? d.url : null })), proofFiles };
}

async function decideOnPage(deps: AppDeps, find: () => Promise<svc.OrderRow | undefined>, body: { decision: 'accept' | 'refuse'; version: number }, now: Date, token?: string) {
  const o = await find();
  if (!o) throw gone();
  const actor = svc.clientActor(o.organization_id);
  try {
    await svc.act(deps.db, actor, o.id, { action: body.decision, via: 'order-page', version: body.version }, now);
  } catch (e) {
    // The staff view of the order is not the client's: keep only the code and message.
    if (e instanceof AppError) throw e.withExtra(e.code === 'version-conflict' ? { current: await svc.pageView(deps.db, o, now) } : {});
    throw e;
  }
  const fresh = (await svc.orderRow(deps.db, o.organization_id, o.id))!;
  return withDocuments(deps, fresh, await svc.pageView(deps.db, fresh, now), token);
}
