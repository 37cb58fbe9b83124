// The business's own message templates (issue 16), owners and managers: the list of every topic the
// business sends with the shipped text per language and its own, save (versioned, audited), reset,
// and a preview rendered on the server with a sample order. See message-templates.ts and
// docs/documents-and-notifications.md.
import { z } from 'zod';
import { MANAGERS } from '../../core/actor.ts';
import type { AppDeps } from '../../core/deps.ts';
import { actorOf } from '../../server/auth.ts';
import { type ZApp } from '../../server/http.ts';
import { DOC_LANGS } from '../documents/documents.i18n.ts';
import * as mt from './message-templates.ts';
import { MESSAGE_TOPICS } from './notifications.templates.ts';

const Text = z.object({ subject: z.string(), body: z.string(), sms: z.string() });
const Custom = Text.extend({ version: z.number().int(), updatedAt: z.string(), updatedBy: z.string() });
const TopicEnum = z.enum(MESSAGE_TOPICS as [string, ...string[]]);
const TopicTemplates = z.object({
  topic: TopicEnum,
  audience: z.enum(['client', 'staff']),
  placeholders: z.array(z.string()).describe('The placeholders this message offers, written {name} in a text'),
  required: z.array(z.object({ field: z.enum(mt.FIELDS), placeholder: z.string() })).describe('Placeholders a field must keep (the one-time code, the sign-in link)'),
  languages: z.record(z.enum(DOC_LANGS), z.object({ default: Text.describe('The shipped text'), custom: Custom.nullable().describe("The business's own text, sent instead (null: the shipped one is sent)") })),
});
z.globalRegistry.add(TopicTemplates, { id: 'MessageTemplates' });

const Params = z.object({ topic: TopicEnum, language: z.enum(DOC_LANGS) });
const Fields = z.object({
  subject: z.string().trim().min(1).max(200).describe('The e-mail subject, one line'),
  body: z.string().trim().min(1).max(5000).describe('The e-mail text'),
  sms: z.string().trim().min(1).max(480).describe('The SMS text (at most three SMS parts)'),
});
const problems = ['validation-failed', 'version-conflict'] as const;

export async function messageTemplatesRoutes(app: ZApp, deps: AppDeps) {
  const now = () => deps.now?.() ?? new Date();
  const tags = ['notifications'];

  app.get(
    '/api/v1/message-templates',
    { config: { access: MANAGERS, problems: [] }, schema: { operationId: 'listMessageTemplates', tags, summary: "Every message the business sends: per language the shipped text and the business's own", response: { 200: z.object({ topics: z.array(TopicTemplates) }) } } },
    async (req) => mt.listTemplates(deps.db, actorOf(req).organizationId),
  );

  app.put(
    '/api/v1/message-templates/:topic/:language',
    {
      config: { access: MANAGERS, problems: [...problems] },
      schema: {
        operationId: 'saveMessageTemplate',
        tags,
        summary: "Save the business's own text of a message in a language (sent instead of the shipped one). Only the topic's placeholders; 422 naming the field otherwise, nothing saved. Audited",
        params: Params,
        body: Fields.extend({ version: z.number().int().min(0).describe('The version you read (0: the business had no text of its own); 409 with the current state if it changed') }),
        response: { 200: TopicTemplates },
      },
    },
    async (req) => mt.saveTemplate(deps.db, actorOf(req), req.params.topic, req.params.language, req.body, now()),
  );

  app.delete(
    '/api/v1/message-templates/:topic/:language',
    {
      config: { access: MANAGERS, problems: [...problems] },
      schema: {
        operationId: 'resetMessageTemplate',
        tags,
        summary: "Back to the shipped text: the business's own is removed (kept in the audit)",
        params: Params,
        querystring: z.object({ version: z.coerce.number().int().min(1).describe('The version you read') }),
        response: { 200: TopicTemplates },
      },
    },
    async (req) => mt.resetTemplate(deps.db, actorOf(req), req.params.topic, req.params.language, req.query.version),
  );

  app.post(
    '/api/v1/message-templates/:topic/:language/preview',
    {
      config: { access: MANAGERS, problems: ['validation-failed'] },
      schema: {
        operationId: 'previewMessageTemplate',
        tags,
        summary: 'The text as it would be sent, rendered by the server with a sample order (validated as a save; nothing is stored)',
        params: Params,
        body: Fields,
        response: { 200: z.object({ subject: z.string(), body: z.string(), sms: z.string(), smsLength: z.number().int() }) },
      },
    },
    async (req) => mt.preview(deps.db, deps.config, actorOf(req).organizationId, req.params.topic, req.params.language, req.body),
  );
}
