import { sql } from 'kysely';
import { z } from 'zod';
import type { AppDeps } from '../../core/deps.ts';
import type { ZApp } from '../../server/http.ts';

export async function healthRoutes(app: ZApp, deps: AppDeps) {
  app.get(
    '/api/v1/health',
    {
      config: { access: 'public' },
      schema: { operationId: 'getHealth', tags: ['health'], summary: 'Liveness: the process answers', response: { 200: z.object({ status: z.literal('ok') }) } },
    },
    async () => ({ status: 'ok' as const }),
  );
  app.get(
    '/api/v1/ready',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getReadiness',
        tags: ['health'],
        summary: 'Readiness: the database answers and the server is not shutting down',
        response: { 200: z.object({ status: z.literal('ready') }), 503: z.object({ status: z.literal('unavailable'), reason: z.string() }) },
      },
    },
    async (_req, reply) => {
      if (deps.isReady && !deps.isReady()) return reply.status(503).send({ status: 'unavailable' as const, reason: 'shutting down' });
      try {
        await sql`select 1`.execute(deps.db);
        return { status: 'ready' as const };
      } catch {
        return reply.status(503).send({ status: 'unavailable' as const, reason: 'database unreachable' });
      }
    },
  );
}
