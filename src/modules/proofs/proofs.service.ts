// Proof files of a claim (issue 6): the invoice, receipt or warranty card the client sends from the
// portal's warranty request form, through the order page link the claim answered with. Stored like a
// purchase's proof documents (same type checks by content bytes, same size limit, same storage), in
// `documents` with `service_order_id` set. Staff see and download them on the order; the client
// through the link.
import crypto from 'node:crypto';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { DocumentsTable } from '../../db/schema.ts';
import type { Selectable } from 'kysely';
import { audit } from '../../core/audit.ts';
import type { Actor } from '../../core/actor.ts';
import { notFound, problem } from '../../core/errors.ts';
import { ProofErrors } from './proofs.errors.ts';
import type { FileStorage } from '../../storage/index.ts';
import { checkFileType } from '../purchases/purchases.service.ts';
import { completeClaimIn, type OrderRow, type PROOF_FILE_KINDS } from '../service-orders/service-orders.service.ts';

export type ProofFileKind = (typeof PROOF_FILE_KINDS)[number];

export const PROOF_KIND = 'claim-proof';
/** A public link should not be a free file store: a claim takes at most this many proof files. */
export const MAX_PROOFS_PER_ORDER = 10;
/** The order is over: nothing to prove any more. */
const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];

type DocumentRow = Selectable<DocumentsTable>;

export const proofView = (d: DocumentRow, urlBase: string | null) => ({
  id: d.id,
  filename: d.filename,
  contentType: d.content_type,
  sizeBytes: Number(d.size_bytes),
  sha256: d.sha256,
  createdAt: d.created_at.toISOString(),
  url: urlBase === null ? null : `${urlBase}/proofs/${d.id}`,
});
export type ProofView = ReturnType<typeof proofView>;

const proofsQuery = (db: Db | Tx, orgId: string, orderId: string) =>
  db.selectFrom('documents').selectAll().where('organization_id', '=', orgId).where('service_order_id', '=', orderId).where('kind', '=', PROOF_KIND).orderBy('id');

/** The order's proof files; `urlBase` is where they are downloaded from (null: no links). */
export async function listProofs(db: Db | Tx, orgId: string, orderId: string, urlBase: string | null) {
  return (await proofsQuery(db, orgId, orderId).execute()).map((d) => proofView(d, urlBase));
}

/**
 * Attaches one file to the order. The file is checked first and written to storage before the row;
 * a failed transaction removes it again, so a refused upload leaves nothing behind. The same file
 * sent twice (a retried upload) is answered with the first copy (`created: false`).
 */
export async function addProof(db: Db, storage: FileStorage, actor: Actor, order: OrderRow, file: { filename: string; contentType: string; data: Buffer }, urlBase: string, kind?: ProofFileKind, now = new Date()) {
  const type = checkFileType(file);
  if (CLOSED.includes(order.state)) throw problem(ProofErrors, 'order-closed', `Order ${order.number} is ${order.state}: no more proofs can be added`);
  const sha256 = crypto.createHash('sha256').update(file.data).digest('hex');
  const id = uuidv7();
  const key = `${order.organization_id}/${id}.${type.ext}`;
  await storage.put(key, file.data);
  try {
    return await db.transaction().execute(async (tx) => {
      // The order row is the lock: two uploads at once count each other.
      const o = await tx.selectFrom('service_orders').select(['id', 'state']).where('organization_id', '=', order.organization_id).where('id', '=', order.id).forUpdate().executeTakeFirst();
      if (!o) throw notFound('Service order');
      if (CLOSED.includes(o.state)) throw problem(ProofErrors, 'order-closed', `Order ${order.number} is ${o.state}: no more proofs can be added`);
      const existing = await proofsQuery(tx, order.organization_id, order.id).execute();
      const same = existing.find((d) => d.sha256 === sha256);
      // Issue 16: a file sent as a named proof (an invoice, a warranty card) counts as given: the
      // claim's proofs are completed and the decision re-run (the audit keeps both decisions).
      const given = async () => {
        if (kind) await completeClaimIn(tx, actor, order.id, { proofs: { [kind]: true } }, now, actor.channel);
      };
      if (same) {
        await storage.delete(key).catch(() => {});
        await given();
        return { created: false, proof: proofView(same, urlBase) };
      }
      if (existing.length >= MAX_PROOFS_PER_ORDER) {
        throw problem(ProofErrors, 'too-many-proofs', `An order takes at most ${MAX_PROOFS_PER_ORDER} proof files`, { errors: [{ field: 'body.file', message: `at most ${MAX_PROOFS_PER_ORDER} files per order` }] });
      }
      const row = await tx
        .insertInto('documents')
        .values({
          id,
          organization_id: order.organization_id,
          service_order_id: order.id,
          kind: PROOF_KIND,
          // Control characters are stripped from the name on purpose (headers, logs, the file system).
          // eslint-disable-next-line no-control-regex
          filename: file.filename.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || 'upload',
          content_type: file.contentType,
          size_bytes: file.data.length,
          sha256,
          storage_key: key,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const view = proofView(row, urlBase);
      await audit(tx, actor, { action: 'service-order.proof-attached', entityType: 'service-order', entityId: order.id, after: { proof: { ...view, url: undefined }, ...(kind ? { kind } : {}) } });
      await given();
      return { created: true, proof: view };
    });
  } catch (e) {
    await storage.delete(key).catch(() => {});
    throw e;
  }
}

/** One proof file of one order, with its content. */
export async function openProof(db: Db, storage: FileStorage, orgId: string, orderId: string, proofId: string) {
  const d = await proofsQuery(db, orgId, orderId).where('id', '=', proofId).executeTakeFirst();
  if (!d) throw notFound('Proof');
  return { doc: d, stream: await storage.get(d.storage_key) };
}
