// Intake photos (issue 16, "workshop basics"): staff photograph the device at intake and later (the
// console's camera input on phones), to show the condition it came in. Stored like the claim's proof
// files (the same file storage, AFTERCARE_FILES_DIR, written before the row and removed again when the
// transaction fails; the same size limit), in `documents` with the order's id and their own kind, so
// they are never listed as proofs. Only images: the type is sniffed from the content (PNG, JPEG, WebP)
// and the declared type is not believed. Staff only: never on the client's order page, a document or
// a message (docs/workshop.md "Intake photos"). Each attachment is audited under the order's lock;
// the order's version does not move (a photo changes nothing a concurrent edit could lose).
import crypto from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { DocumentsTable } from '../../db/schema.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { notFound, problem, type ProblemCode } from '../../core/errors.ts';
import type { FileStorage } from '../../storage/index.ts';
import { PurchaseErrors } from '../purchases/purchases.errors.ts';
import { ProofErrors } from '../proofs/proofs.errors.ts';
import { ServiceOrderErrors } from './service-orders.errors.ts';
import * as repo from './repository.ts';

export const PHOTO_KIND = 'intake-photo';
/** Enough for every side of a device and its damage; a bound on what one order can store. */
export const MAX_PHOTOS_PER_ORDER = 30;

/** The images accepted, by their first bytes (the declared type is not believed). */
const IMAGE_TYPES: { type: string; ext: string; magic: (b: Buffer) => boolean }[] = [
  { type: 'image/jpeg', ext: 'jpg', magic: (b) => b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff },
  { type: 'image/png', ext: 'png', magic: (b) => b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) },
  { type: 'image/webp', ext: 'webp', magic: (b) => b.subarray(0, 4).toString('latin1') === 'RIFF' && b.subarray(8, 12).toString('latin1') === 'WEBP' },
];
export const PHOTO_TYPES = IMAGE_TYPES.map((t) => t.type);

/** What the content is, from its bytes: one of the images, or a 415 naming `body.file`. */
export function sniffImage(data: Buffer) {
  const t = IMAGE_TYPES.find((x) => x.magic(data));
  if (!t) throw problem(PurchaseErrors, 'unsupported-file-type', 'Only photos are accepted (JPEG, PNG or WebP), by their content', { errors: [{ field: 'body.file', message: 'must be a photo: JPEG, PNG or WebP', code: 'not-an-image' }] });
  return t;
}

export const PHOTO_PROBLEMS = ['not-found', 'unsupported-file-type', 'too-many-photos', 'order-closed'] as const satisfies readonly ProblemCode[];

type DocumentRow = Selectable<DocumentsTable>;
export const photoView = (d: DocumentRow) => ({
  id: d.id,
  filename: d.filename,
  contentType: d.content_type,
  sizeBytes: Number(d.size_bytes),
  createdAt: d.created_at.toISOString(),
  url: `/api/v1/service-orders/${d.service_order_id}/photos/${d.id}`,
});
export type PhotoView = ReturnType<typeof photoView>;

const photosQuery = (db: Db | Tx, orgId: string, orderId: string) =>
  db.selectFrom('documents').selectAll().where('organization_id', '=', orgId).where('service_order_id', '=', orderId).where('kind', '=', PHOTO_KIND).orderBy('id');

export async function listPhotos(db: Db | Tx, actor: Actor, orderId: string) {
  const o = await repo.getOrder(db, actor.organizationId, orderId);
  if (!o) throw notFound('Service order');
  return (await photosQuery(db, o.organization_id, o.id).execute()).map(photoView);
}

const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled', 'settled'];

/**
 * One photo attached to the order; the same photo sent again (a retried upload) is answered with
 * the first copy (`created: false`). The file is written before the row and removed when the
 * transaction fails, so a refused upload leaves nothing behind.
 */
export async function addPhoto(db: Db, storage: FileStorage, actor: Actor, orderId: string, file: { filename: string; data: Buffer }, now: Date) {
  const type = sniffImage(file.data);
  const sha256 = crypto.createHash('sha256').update(file.data).digest('hex');
  const id = uuidv7();
  const key = `${actor.organizationId}/${id}.${type.ext}`;
  // Refuse what the database would refuse before anything is written.
  const first = await repo.getOrder(db, actor.organizationId, orderId);
  if (!first) throw notFound('Service order');
  await storage.put(key, file.data);
  try {
    return await db.transaction().execute(async (tx) => {
      // The order row is the lock: two uploads at once count each other.
      const o = await repo.lockOrder(tx, actor.organizationId, orderId);
      if (!o) throw notFound('Service order');
      if (CLOSED.includes(o.state)) throw problem(ProofErrors, 'order-closed', `Order ${o.number} is ${o.state}: no more photos can be added`);
      const existing = await photosQuery(tx, o.organization_id, o.id).execute();
      const same = existing.find((d) => d.sha256 === sha256);
      if (same) {
        await storage.delete(key).catch(() => {});
        return { created: false, photo: photoView(same) };
      }
      if (existing.length >= MAX_PHOTOS_PER_ORDER) throw problem(ServiceOrderErrors, 'too-many-photos', `An order takes at most ${MAX_PHOTOS_PER_ORDER} photos`, { errors: [{ field: 'body.file', message: `at most ${MAX_PHOTOS_PER_ORDER} photos per order`, code: 'too-many' }] });
      const row = await tx
        .insertInto('documents')
        .values({
          id,
          organization_id: o.organization_id,
          service_order_id: o.id,
          kind: PHOTO_KIND,
          // eslint-disable-next-line no-control-regex -- control characters stripped from the name (headers, logs)
          filename: file.filename.replace(/[\u0000-\u001f\u007f]/g, '').slice(0, 255) || `photo.${type.ext}`,
          content_type: type.type,
          size_bytes: file.data.length,
          sha256,
          storage_key: key,
          created_at: now,
        })
        .returningAll()
        .executeTakeFirstOrThrow();
      const view = photoView(row);
      await audit(tx, actor, { action: 'service-order.photo-attached', entityType: repo.SUBJECT_TYPE, entityId: o.id, after: { photo: view.id, contentType: view.contentType, sizeBytes: view.sizeBytes, sha256 } });
      return { created: true, photo: view };
    });
  } catch (e) {
    await storage.delete(key).catch(() => {});
    throw e;
  }
}

/** One photo of one order, with its content. */
export async function openPhoto(db: Db, storage: FileStorage, actor: Actor, orderId: string, photoId: string) {
  const d = await photosQuery(db, actor.organizationId, orderId).where('id', '=', photoId).executeTakeFirst();
  if (!d) throw notFound('Photo');
  return { doc: d, stream: await storage.get(d.storage_key) };
}
