import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { MANAGERS } from '../../core/actor.ts';
import { CoreErrors, problem } from '../../core/errors.ts';
import { type ZApp } from '../../server/http.ts';
import { fileResponse } from '../../server/openapi.ts';
import { exportSales, importSales } from './import-export.service.ts';

const ImportResult = z.object({
  rows: z.number().int(),
  customersCreated: z.number().int(),
  devicesCreated: z.number().int(),
  purchasesCreated: z.number().int(),
  written: z.boolean().describe('false in check mode and whenever a row was bad'),
  problems: z.array(z.object({ line: z.number().int(), column: z.string().nullable(), reason: z.string() })),
});

export async function importExportRoutes(app: ZApp, deps: AppDeps) {
  app.addContentTypeParser('text/csv', { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 }, (_req, body, done) => done(null, body));
  app.post(
    '/api/v1/imports/sales',
    {
      config: { access: MANAGERS, problems: ['unsupported-media-type'] },
      bodyLimit: 50 * 1024 * 1024,
      schema: {
        operationId: 'importSales',
        tags: ['import-export'],
        summary: 'Import past sales from CSV (Content-Type: text/csv). ?check=true only reports bad rows. A file with any bad row writes nothing (422).',
        querystring: z.object({ check: z.enum(['true', 'false']).optional() }),
        response: { 200: ImportResult, 422: ImportResult },
      },
    },
    async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) throw problem(CoreErrors, 'unsupported-media-type', 'Send the CSV with Content-Type: text/csv');
      const r = await importSales(deps.db, { ...actorOf(req), channel: 'import' }, req.body, { check: req.query.check === 'true' });
      return reply.status(r.problems.length ? 422 : 200).send(r);
    },
  );
  app.get(
    '/api/v1/exports/sales.csv',
    { config: { access: MANAGERS }, schema: { operationId: 'exportSales', tags: ['import-export'], summary: 'Export every device with its purchases, in the import’s CSV shape', response: { 200: fileResponse('The CSV (UTF-8)', ['text/csv']) } } },
    async (req, reply) => {
      const parts: string[] = [];
      for await (const chunk of exportSales(deps.db, actorOf(req).organizationId)) parts.push(chunk);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="sales.csv"');
      return reply.send(parts.join(''));
    },
  );
}
