// Reading the one file of a multipart/form-data upload, for every route that takes one. The whole
// body is read and parsed before the route may write anything: a body that is not well-formed
// multipart (cut short, without its boundary, a part header busboy cannot read, a prototype name as
// field name, more parts than the limits allow) is 400 `invalid-multipart-body` naming `body.file`,
// never a 500; a file name or media type the database cannot store (src/server/input.ts) is 400
// `validation-failed` on `body.file`.
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { CoreErrors, problem, type AppError, type ProblemCode } from '../core/errors.ts';
import { badText, textProblem } from './input.ts';

/** What reading an upload can answer besides what the route declares (add to its config.problems). */
export const UPLOAD_PROBLEMS = ['unsupported-media-type', 'invalid-multipart-body'] as const satisfies readonly ProblemCode[];

export interface UploadedPart {
  fieldname: string;
  filename: string;
  mimetype: string;
  data: Buffer;
}

const fileField = (message: string) => ({ errors: [{ field: 'body.file', message }] });

/**
 * The first file part of the body, read whole (the multipart limits bound it), after the rest of
 * the body was read and found well-formed. `tooLarge` turns the over-the-limit error into the route's
 * own problem; without it the framework's `req-file-too-large` is answered.
 */
export async function readFilePart(req: FastifyRequest, opts: { tooLarge?: () => AppError } = {}): Promise<UploadedPart | undefined> {
  if (!req.isMultipart()) throw problem(CoreErrors, 'unsupported-media-type', 'Send multipart/form-data with a `file` field', fileField('missing'));
  let first: UploadedPart | undefined;
  try {
    for await (const part of req.parts()) {
      if (part.type !== 'file') continue;
      const file = part as MultipartFile;
      const data = await file.toBuffer();
      first ??= { fieldname: file.fieldname, filename: file.filename, mimetype: file.mimetype, data };
    }
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw opts.tooLarge?.() ?? e;
    throw problem(CoreErrors, 'invalid-multipart-body', 'The body is not a well-formed multipart/form-data body', {
      errors: [{ field: 'body.file', message: e instanceof Error ? e.message : String(e), code: 'malformed' }],
    });
  }
  if (first) {
    const bad = [first.fieldname, first.filename, first.mimetype].map(textProblem).find(Boolean);
    if (bad) throw badText([{ field: 'body.file', message: `its name or media type ${bad}`, code: 'invalid-character' }]);
  }
  return first;
}
