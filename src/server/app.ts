// Builds the HTTP application: plugins, error handling, authentication, and every feature's routes.
import fastifyCookie from '@fastify/cookie';
import fastifyMultipart from '@fastify/multipart';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import {
  serializerCompiler,
  validatorCompiler,
  type ZodTypeProvider,
} from 'fastify-type-provider-zod';
import { installAuth } from './auth.ts';
import { installInputGuards } from './input.ts';
import { frameworkErrors, installErrorHandler } from '../core/errors.ts';
import { finishOpenApiDocument, transformRoute } from './openapi.ts';
import { installProblems } from './problems.ts';
import { installCsrfCheck, installSecurityHeaders, SWAGGER_UI_CSP, withSecurityHeaders } from './security.ts';
import { healthRoutes } from '../modules/health/health.routes.ts';
import { authRoutes } from '../modules/auth/auth.routes.ts';
import { organizationsRoutes } from '../modules/organizations/organizations.routes.ts';
import { customersRoutes } from '../modules/customers/customers.routes.ts';
import { devicesRoutes } from '../modules/devices/devices.routes.ts';
import { purchasesRoutes } from '../modules/purchases/purchases.routes.ts';
import { warrantyRoutes } from '../modules/warranty/warranty.routes.ts';
import { importExportRoutes } from '../modules/import-export/import-export.routes.ts';
import { serviceOrdersRoutes } from '../modules/service-orders/service-orders.routes.ts';
import { workshopRoutes } from '../modules/service-orders/workshop.routes.ts';
import { paymentLinkRoutes } from '../modules/service-orders/payment-links.routes.ts';
import { claimRoutes } from '../modules/service-orders/claim.routes.ts';
import { orderPageRoutes } from '../modules/order-page/order-page.routes.ts';
import { proofsRoutes } from '../modules/proofs/proofs.routes.ts';
import { documentsRoutes } from '../modules/documents/documents.routes.ts';
import { notificationsRoutes } from '../modules/notifications/notifications.routes.ts';
import { messageTemplatesRoutes } from '../modules/notifications/message-templates.routes.ts';
import { rmaRoutes } from '../modules/rma/rma.routes.ts';
import { clientAccountRoutes } from '../modules/client-account/client-account.routes.ts';
import { billingRoutes } from '../modules/billing/billing.routes.ts';
import { contractsRoutes } from '../modules/contracts/contracts.routes.ts';
import { supportRoutes } from '../modules/support/support.routes.ts';
import { policiesRoutes } from '../modules/policies/policies.routes.ts';
import { stripeRoutes } from '../modules/stripe/stripe.routes.ts';
import { registrationsRoutes } from '../modules/registrations/registrations.routes.ts';
import { plansRoutes } from '../modules/plans/plans.routes.ts';
import { webRoutes } from './web.ts';
import '../core/actor.ts';
import type { AppDeps } from '../core/deps.ts';
import type { ZApp } from './http.ts';
// Every kind of case registers its clock handlers with the core.
import '../modules/subject-kinds.ts';

export type { AppDeps };

export type App = FastifyInstance;

/** Routes added beside the product's own: only the benches pass these (bench/lib/bench-server.mjs), never production. */
export type ExtraRoutes = (app: ZApp, deps: AppDeps) => Promise<void>;

export async function buildApp(deps: AppDeps, logger?: FastifyBaseLogger, extraRoutes?: ExtraRoutes): Promise<FastifyInstance> {
  const app = Fastify({
    ...(logger ? { loggerInstance: logger } : { logger: false }),
    // A hop count is given as the function fastify's types want: trust that many proxies from the socket.
    trustProxy: typeof deps.config.trustProxy === 'number' ? ((hops) => (_addr: string, i: number) => i < hops)(deps.config.trustProxy) : deps.config.trustProxy,
    bodyLimit: 1024 * 1024,
    frameworkErrors: withSecurityHeaders(frameworkErrors),
    // Keep ids short in logs; each request carries one.
    genReqId: () => Math.random().toString(36).slice(2, 10),
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(fastifyCookie);
  // Security headers on every response; cookie-authenticated state changes only from our own pages.
  await installSecurityHeaders(app);
  installCsrfCheck(app, deps.config.publicUrl);
  await app.register(fastifyMultipart, {
    limits: { fileSize: deps.config.uploadMaxBytes, files: 1, fields: 10 },
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Aftercare API',
        version: '1',
        description:
          'Warranties computed from events, claims, repairs and RMA. Sign in with POST /api/v1/auth/sign-in ' +
          '(a session cookie) or send `Authorization: Bearer ak_...` with an API key. Errors are application/problem+json.',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
      },
      // Relative: the paths are on whatever host and scheme served this document (proxies included).
      servers: [{ url: '/', description: 'The server that serves this document' }],
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'aftercare_session' },
          apiKey: { type: 'http', scheme: 'bearer' },
        },
      },
      security: [{ session: [] }, { apiKey: [] }],
    },
    transform: transformRoute,
    transformObject: finishOpenApiDocument,
  });
  await app.register(fastifySwaggerUi, { routePrefix: '/api/v1/docs', staticCSP: SWAGGER_UI_CSP });
  // Problems first: the route table the auth hook builds carries each route's declared problems.
  installProblems(app);
  installAuth(app, deps.db);
  // Text the database cannot store (NUL, lone surrogates) in any field a route reads: 400, naming the field.
  installInputGuards(app);

  await app.register(async (api) => {
    const z = api.withTypeProvider<ZodTypeProvider>();
    await healthRoutes(z, deps);
    await authRoutes(z, deps);
    await organizationsRoutes(z, deps);
    await customersRoutes(z, deps);
    await devicesRoutes(z, deps);
    await purchasesRoutes(z, deps);
    await warrantyRoutes(z, deps);
    await importExportRoutes(z, deps);
    await serviceOrdersRoutes(z, deps);
    await workshopRoutes(z, deps);
    await paymentLinkRoutes(z, deps);
    await claimRoutes(z, deps);
    await orderPageRoutes(z, deps);
    await proofsRoutes(z, deps);
    await documentsRoutes(z, deps);
    await notificationsRoutes(z, deps);
    await messageTemplatesRoutes(z, deps);
    await clientAccountRoutes(z, deps);
    await billingRoutes(z, deps);
    await contractsRoutes(z, deps);
    await supportRoutes(z, deps);
    await policiesRoutes(z, deps);
    await stripeRoutes(z, deps);
    await registrationsRoutes(z, deps);
    await plansRoutes(z, deps);
    await rmaRoutes(z, deps);
    await extraRoutes?.(z, deps);
    z.get('/api/v1/openapi.json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
  });
  // The web app (staff console and client portal) at `/`.
  await webRoutes(app);
  return app;
}
