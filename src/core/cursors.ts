// Cursor pages: ids are UUIDv7 (time-ordered), so "newest first" is a primary-key scan and a cursor
// is just the last id, base64url-encoded.
import { z } from 'zod';
import { CoreErrors, problem } from './errors.ts';

const Uuid = z.uuid();

export function encodeCursor(id: string) {
  return Buffer.from(id).toString('base64url');
}
export function decodeCursor(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const id = Buffer.from(cursor, 'base64url').toString();
  const ok = Uuid.safeParse(id);
  if (!ok.success) {
    throw problem(
      CoreErrors,
      'validation-failed',
      'The request has invalid fields',
      { errors: [{ field: 'querystring.cursor', message: 'is not a cursor this API gave out', code: 'invalid-cursor' }] },
      { status: 400 },
    );
  }
  return id;
}
/** Takes limit+1 rows (newest first) and turns them into a page. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T) {
  const more = rows.length > limit;
  const items = (more ? rows.slice(0, limit) : rows).map(map);
  return { items, nextCursor: more ? encodeCursor(rows[limit - 1].id) : null };
}

