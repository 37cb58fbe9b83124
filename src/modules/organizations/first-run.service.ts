// The console's first-run set-up (issue 11): the first business created from the browser, by the same
// `createBusiness` as `aftercare org create`, then its owner signed in.
//
// Who may do it: the screen only works while no organization exists, AND with the one-time set-up
// token that `aftercare start` prints on the server's console when it starts on an empty database
// (`/setup?token=...`). Without the token, whoever reached a freshly started server first could make
// themselves the owner of the deployment; with it, only someone who can read the server's output can.
// Tokens are stored as SHA-256 (any server process accepts a token another printed), expire after
// SETUP_TOKEN_DAYS, and are all deleted in the transaction that creates the business — under the
// same advisory lock as `org create`, so two set-ups at once make one business.
import { z } from 'zod';
import type { Db } from '../../db/index.ts';
import { newToken, sha256 } from '../../core/tokens.ts';
import { problem } from '../../core/errors.ts';
import { BusinessInput, createBusiness, LocationInput, slugOf } from './setup.service.ts';
import { OrganizationErrors } from './organizations.errors.ts';

export const SETUP_TOKEN_DAYS = 7;

/** True while the database holds no organization (the set-up screen is shown). */
export async function setupNeeded(db: Db): Promise<boolean> {
  return !(await db.selectFrom('organizations').select('id').limit(1).executeTakeFirst());
}

/** A new set-up token when no organization exists (null otherwise); `aftercare start` prints it. */
export async function issueSetupToken(db: Db, now = new Date()): Promise<string | null> {
  if (!(await setupNeeded(db))) return null;
  const token = newToken();
  await db.deleteFrom('setup_tokens').where('expires_at', '<', now).execute();
  await db.insertInto('setup_tokens').values({ token_hash: sha256(token), expires_at: new Date(now.getTime() + SETUP_TOKEN_DAYS * 86_400_000) }).execute();
  return token;
}

/** The lines `aftercare start` prints when there is no business yet. */
export async function firstRunNotice(db: Db, url: string): Promise<string[]> {
  const token = await issueSetupToken(db);
  if (!token) return [];
  return [
    '',
    '  No business yet. Set up the first one in the browser (this link works once, for ' + SETUP_TOKEN_DAYS + ' days; keep it to yourself):',
    `    ${url}/setup?token=${token}`,
    '  or on the command line: npx aftercare org create --help',
  ];
}

/** The set-up screen's body: the business as `org create` takes it, the slug optional, and the token. */
export const SetupBody = z.object({
  token: z.string().max(200).describe('The one-time set-up token `aftercare start` printed (`/setup?token=...`)'),
  name: z.string().max(200),
  slug: z.string().max(63).optional().describe('The business in links (`/claim/<slug>`); from the name when not given'),
  country: z.string().max(10),
  timeZone: z.string().max(100),
  currency: z.string().max(10),
  languages: z.array(z.string().max(5)).max(3),
  owner: z.object({ name: z.string().max(200), email: z.string().max(320), password: z.string().max(1000) }),
  locations: z.array(LocationInput.partial({ name: true }).extend({ name: z.string().max(200) })).max(20),
  policy: z.string().max(40).describe('its, itmall, service-center, vn, itema or blank'),
});
export type SetupBody = z.infer<typeof SetupBody>;

/** Creates the first business if the token is good and none exists; the owner's credentials for signing in. */
export async function setUpFirstBusiness(db: Db, body: SetupBody, now = new Date()) {
  const { token, ...rest } = body;
  const input: Partial<BusinessInput> = {
    ...rest,
    slug: rest.slug?.trim() || slugOf(rest.name),
    country: rest.country.trim().toUpperCase(),
    currency: rest.currency.trim().toUpperCase(),
    policy: rest.policy as BusinessInput['policy'],
    languages: rest.languages as BusinessInput['languages'],
  };
  const refuseToken = () =>
    problem(OrganizationErrors, 'setup-token-invalid', 'The set-up token is not one this server printed, or it expired', {
      errors: [{ field: 'body.token', message: 'not the set-up token printed by `aftercare start` (or it expired: restart the server for a new one)', code: 'setup-token' }],
    });
  // Refused before any work when already set up or the token is wrong (checked again under the lock).
  if (!(await setupNeeded(db))) throw problem(OrganizationErrors, 'already-set-up', 'A business exists: sign in instead (the set-up screen is for the first one)');
  return createBusiness(db, input, {
    actor: 'setup',
    within: async (tx) => {
      if (!(await setupNeeded(tx))) throw problem(OrganizationErrors, 'already-set-up', 'A business exists: sign in instead (the set-up screen is for the first one)');
      const t = await tx.selectFrom('setup_tokens').select('token_hash').where('token_hash', '=', sha256(token)).where('expires_at', '>', now).executeTakeFirst();
      if (!t) throw refuseToken();
      await tx.deleteFrom('setup_tokens').execute();
    },
  });
}
