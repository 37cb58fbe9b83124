// Who is acting, for which organization, through which channel. Every service call takes one.
export const ROLES = ['owner', 'manager', 'front-desk', 'technician'] as const;
export type Role = (typeof ROLES)[number];

export interface Actor {
  organizationId: string;
  role: Role;
  type: 'staff' | 'api-key' | 'system';
  /** staff user id, api key id, or a system name ('import', 'demo'). */
  id: string;
  name: string;
  /** How the change came in: 'console' (a staff session: the web console or curl with its cookie), 'api' (an API key), 'import', 'demo', 'cli', 'order-page', 'jobs'. */
  channel: string;
  sessionTokenHash?: string;
}

export function systemActor(organizationId: string, channel: string): Actor {
  return { organizationId, role: 'owner', type: 'system', id: channel, name: channel, channel };
}

/** The roles a route admits, or 'public' for routes that need no sign-in. */
export type RouteAccess = readonly Role[] | 'public';
export const ALL_ROLES: readonly Role[] = ROLES;
export const OFFICE: readonly Role[] = ['owner', 'manager', 'front-desk'];
export const MANAGERS: readonly Role[] = ['owner', 'manager'];
export const OWNER: readonly Role[] = ['owner'];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every /api/v1 route: which roles may call it. */
    access?: RouteAccess;
  }
  interface FastifyRequest {
    actor: Actor | null;
  }
}
