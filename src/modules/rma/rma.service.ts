// RMAs, the public face other features and the routes use: requests (request.ts), the transitions
// (transitions.ts, written by the core's transition writer), what staff and the client see
// (views.ts), the packing slip (slip.ts), evidence files and account suspensions (ITM-12). All SQL
// is in repository.ts. See docs/rma.md.
import crypto from 'node:crypto';
import type { Config } from '../../config.ts';
import type { Db } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { todayIn } from '../../core/day.ts';
import { badField, CoreErrors, notFound, problem, type ProblemCode } from '../../core/errors.ts';
import { orgAndPack } from '../../core/organization.ts';
import { decodeCursor, toPage } from '../../core/cursors.ts';
import type { FileStorage } from '../../storage/index.ts';
import { businessOf, publicBaseUrl, replacementRecord as drawReplacementRecord, type RenderPool } from '../documents/documents.service.ts';
import type { DocLang } from '../documents/documents.i18n.ts';
import { pickLang } from '../documents/documents.i18n.ts';
import { checkFileType } from '../purchases/purchases.service.ts';
import { rmaPolicy } from './decisions.ts';
import './kind.ts';
import * as repo from './repository.ts';
import { insertRma, type RmaFields } from './request.ts';
import { renderSlip } from './slip.ts';
import { RMA_QUEUES, RMA_QUEUE_NAMES, type RmaQueue } from './state-machine.ts';
import { act, type RmaActionBody } from './transitions.ts';
import { detail, rmaView } from './views.ts';

export { insertRma, REQUEST_PROBLEMS, RMA_CHANNELS, RMA_PROOFS, type RmaFields } from './request.ts';
export { act, actOnRma, ACT_PROBLEMS, DIAGNOSIS_OUTCOMES, DISPUTE_OUTCOMES, RESOLUTIONS, type RmaActionBody } from './transitions.ts';
export { rmaKind } from './kind.ts';
export { type RmaDetail, type RmaView, rmaView } from './views.ts';

export const FILE_KINDS = ['refusal-evidence', 'proof', 'inspection-photo'] as const;
export const FILE_PROBLEMS = ['not-found', 'unsupported-file-type', 'unknown-reference'] as const satisfies readonly ProblemCode[];

export async function get(db: Db, actor: Actor, id: string, moment: Date) {
  const d = await detail(db, actor.organizationId, id, moment);
  if (!d) throw notFound('RMA');
  return d;
}

export async function list(db: Db, actor: Actor, f: { queue?: RmaQueue; number?: string; limit: number; cursor?: string }) {
  const rows = await repo.listRmas(db, actor.organizationId, { queue: f.queue, number: f.number, limit: f.limit, after: decodeCursor(f.cursor) });
  const items = await repo.itemsOf(db, actor.organizationId, rows.map((r) => r.id));
  return toPage(rows, f.limit, (r) => rmaView(r, items));
}

/** The console's queue counts (awaiting diagnosis, authorized, late returns, received, inspecting, resolved, ...). */
export async function queues(db: Db, actor: Actor) {
  const by = await repo.countByState(db, actor.organizationId);
  return Object.fromEntries(RMA_QUEUE_NAMES.map((q) => [q, RMA_QUEUES[q].reduce((n, s) => n + (by.get(s) ?? 0), 0)])) as Record<RmaQueue, number>;
}

/** An action, answered with the RMA as it is after it. */
export async function actAndView(db: Db, actor: Actor, id: string, body: RmaActionBody, now: Date) {
  const r = await act(db, actor, id, body, now);
  return rmaView(r, await repo.itemsOf(db, actor.organizationId, [r.id]));
}

export async function create(tx: Parameters<typeof insertRma>[0], actor: Actor, f: RmaFields, now: Date, onlyCustomers?: string[]) {
  const row = await insertRma(tx, actor, f, now, onlyCustomers);
  const items = await repo.itemsOf(tx, actor.organizationId, [row.id]);
  return rmaView(row, items);
}

/** The packing slip and label (PDF) of an authorized RMA, in the client's language (or `lang`). */
export async function slip(db: Db, config: Config, actor: Actor, id: string, q: { lang?: string }, moment: Date) {
  const d = await detail(db, actor.organizationId, id, moment);
  if (!d) throw notFound('RMA');
  if (!d.authorizedAt) throw problem(CoreErrors, 'illegal-transition', 'The RMA is not authorized yet: there is no slip');
  const org = (await db.selectFrom('organizations').select(['id', 'slug', 'name', 'pack_id', 'time_zone', 'languages', 'currency']).where('id', '=', actor.organizationId).executeTakeFirst())!;
  const { pack } = await orgAndPack(db, actor.organizationId);
  const policy = rmaPolicy(pack, new Date(d.createdAt));
  const customer = await repo.customerOf(db, actor.organizationId, d.customerId);
  const models = await db.selectFrom('devices').select(['id', 'model']).where('organization_id', '=', actor.organizationId).where('id', 'in', d.items.map((i) => i.deviceId)).execute();
  const ret = d.clocks.find((c) => c.id === policy.returnClock);
  const auth = d.authorization as { freight: { inbound: string; outbound: string; rule: string | null } };
  const lang = pickLang(q.lang, d.language, org.languages[0]);
  const pdf = await renderSlip({
    lang,
    business: await businessOf(db, org, config),
    number: d.number,
    authorizedOn: todayIn(org.time_zone, new Date(d.authorizedAt)),
    returnBy: ret ? todayIn(org.time_zone, new Date(ret.due)) : null,
    createdAt: new Date(d.authorizedAt),
    client: { name: customer?.name ?? '', address: customer?.address ?? null },
    invoice: d.invoice,
    items: d.items.map((i) => ({ position: i.position, serial: i.serial, model: models.find((m) => m.id === i.deviceId)?.model ?? null, fault: i.fault })),
    instruction: policy.returnInstruction,
    freight: auth.freight,
    lateReturn: policy.lateReturn?.text ?? null,
    url: `${publicBaseUrl(config)}/account/${org.slug}`,
  });
  return { pdf, filename: `${d.number}-slip-${lang}.pdf` };
}

/** The replacement record (PDF) of an item resolved by a replacement (ITM-9, ITM-10, ITM-11), drawn by the documents module. */
export async function replacementRecord(db: Db, config: Config, pool: RenderPool, actor: Actor, id: string, itemId: string, q: { lang?: DocLang }) {
  const r = await repo.getRma(db, actor.organizationId, id);
  if (!r) throw notFound('RMA');
  const it = (await repo.itemsOf(db, actor.organizationId, [id])).find((i) => i.id === itemId);
  if (!it) throw notFound('Item');
  const rec = (it.resolution_detail as { replacementRecord?: { eventId: string } } | null)?.replacementRecord;
  if (!rec) throw problem(CoreErrors, 'illegal-transition', 'The item was not resolved by a replacement: there is no replacement record', { errors: [{ field: 'itemId', message: 'not replaced' }] });
  const org = (await db.selectFrom('organizations').select(['slug']).where('id', '=', actor.organizationId).executeTakeFirst())!;
  const lang = pickLang(q.lang, r.language);
  return drawReplacementRecord(db, config, pool, actor, it.device_id, rec.eventId, { lang, qr: { url: `${publicBaseUrl(config)}/account/${org.slug}?lang=${lang}`, caption: r.number } });
}

export async function mustExist(db: Db, actor: Actor, id: string) {
  if (!(await repo.getRma(db, actor.organizationId, id))) throw notFound('RMA');
}

/** Attaches a file to the RMA (the manufacturer's refusal evidence, ITM-5; proofs; inspection photos). */
export async function addFile(db: Db, storage: FileStorage, actor: Actor, id: string, file: { filename: string; contentType: string; data: Buffer }, f: { kind: (typeof FILE_KINDS)[number]; itemId?: string }, now: Date) {
  const type = checkFileType(file);
  const fileId = uuidv7();
  const key = `${actor.organizationId}/${fileId}.${type.ext}`;
  const r = await repo.getRma(db, actor.organizationId, id);
  if (!r) throw notFound('RMA');
  await storage.put(key, file.data);
  try {
    return await db.transaction().execute(async (tx) => {
      const row = await repo.lockRma(tx, actor.organizationId, id);
      if (!row) throw notFound('RMA');
      if (f.itemId && !(await repo.itemsOf(tx, actor.organizationId, [id])).some((i) => i.id === f.itemId)) throw badField('querystring.itemId', 'is not an item of this RMA', 'unknown');
      const rec = {
        id: fileId, organization_id: actor.organizationId, rma_id: id, item_id: f.itemId ?? null, kind: f.kind,
        // eslint-disable-next-line no-control-regex
        filename: file.filename.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'upload',
        content_type: file.contentType, size_bytes: file.data.length, sha256: crypto.createHash('sha256').update(file.data).digest('hex'), storage_key: key, created_at: now,
      };
      await repo.insertFile(tx, rec);
      await audit(tx, actor, { action: 'rma.file-attached', entityType: repo.RMA_SUBJECT, entityId: id, after: { fileId, kind: f.kind, itemId: rec.item_id, filename: rec.filename } });
      return { id: fileId, itemId: rec.item_id, kind: rec.kind, filename: rec.filename, contentType: rec.content_type, sizeBytes: rec.size_bytes, url: `/api/v1/rmas/${id}/files/${fileId}` };
    });
  } catch (e) {
    await storage.delete(key).catch(() => {});
    throw e;
  }
}

export async function openFile(db: Db, storage: FileStorage, orgId: string, rmaId: string, fileId: string) {
  const f = await repo.fileOf(db, orgId, rmaId, fileId);
  if (!f) throw notFound('File');
  return { doc: f, stream: await storage.get(f.storage_key) };
}

/** Suspended accounts (ITM-12), and lifting one (staff). */
export async function holds(db: Db, actor: Actor) {
  const rows = await repo.openHolds(db, actor.organizationId);
  return rows.map((h) => ({ id: h.id, customerId: h.customer_id, rmaId: h.rma_id, rule: h.rule, createdAt: h.created_at.toISOString() }));
}
export async function liftHold(db: Db, actor: Actor, id: string, now: Date) {
  return db.transaction().execute(async (tx) => {
    const h = await repo.lockHold(tx, actor.organizationId, id);
    if (!h) throw notFound('Suspension');
    if (h.lifted_at) return { id: h.id, liftedAt: h.lifted_at.toISOString() };
    const after = await repo.liftHold(tx, actor.organizationId, id, `${actor.type}:${actor.id}`, now);
    await audit(tx, actor, { action: 'rma.account-reinstated', entityType: repo.RMA_SUBJECT, entityId: h.rma_id, before: { holdId: h.id, customerId: h.customer_id }, after: { liftedAt: now.toISOString() } });
    return { id: after.id, liftedAt: after.lifted_at!.toISOString() };
  });
}

// ---------- the client's own (portal) ----------

/** The customer records of the signed-in client (by e-mail, in the business). */
export const clientCustomers = async (db: Db, orgId: string, email: string) => (await repo.customersByEmail(db, orgId, email)).map((c) => c.id);

export async function clientList(db: Db, orgId: string, email: string, moment: Date) {
  // A business whose pack runs no RMAs: 409 no-rma-policy (the portal shows no RMA section).
  rmaPolicy((await orgAndPack(db, orgId)).pack, moment);
  const ids = await clientCustomers(db, orgId, email);
  const rows = await repo.listRmas(db, orgId, { customerIds: ids, limit: 100 });
  const out = [];
  for (const r of rows.slice(0, 100)) {
    const d = (await detail(db, orgId, r.id, moment))!;
    out.push({
      id: d.id, number: d.number, state: d.state, invoice: d.invoice, createdAt: d.createdAt, authorizedAt: d.authorizedAt, expected: d.expected,
      slip: d.authorizedAt ? `/api/v1/client/rmas/${d.id}/slip.pdf` : null,
      items: d.items.map((i) => ({ id: i.id, position: i.position, serial: i.serial, fault: i.fault, outcome: i.decision?.outcome ?? null, resolution: i.resolution, advanceReplacement: !!i.advanceReplacement, replacementRecord: i.resolutionDetail?.replacementRecord ? `/api/v1/client/rmas/${d.id}/items/${i.id}/replacement-record.pdf` : null })),
      freight: ((d.authorization as { freight?: Record<string, unknown> } | null)?.freight ?? null),
      dispute: d.dispute ? { outcome: (d.dispute.outcome as string | undefined) ?? null, team: d.dispute.team as { en: string }, contact: (d.dispute.contact as string | null | undefined) ?? null } : null,
      lateConsequence: d.lateConsequence ? { consequence: String(d.lateConsequence.consequence), rule: String(d.lateConsequence.rule) } : null,
      returnHold: d.returnHold ? { reason: d.returnHold.reason, since: d.returnHold.since } : null,
    });
  }
  return out;
}

/** An RMA of the signed-in client, or not found (another client's is not found either). */
export async function clientRma(db: Db, orgId: string, email: string, id: string) {
  const ids = await clientCustomers(db, orgId, email);
  const r = await repo.getRma(db, orgId, id);
  if (!r || !ids.includes(r.customer_id)) throw notFound('RMA');
  return r;
}
