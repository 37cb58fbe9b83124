import type { Db, Tx } from '../../db/index.ts';
import type { LocationsTable, OrganizationsTable, StaffUsersTable } from '../../db/schema.ts';
import type { Selectable } from 'kysely';

export type OrgRow = Selectable<OrganizationsTable>;
export type LocationRow = Selectable<LocationsTable>;
export type StaffRow = Selectable<StaffUsersTable>;

export const getOrganization = (db: Db | Tx, id: string) => db.selectFrom('organizations').selectAll().where('id', '=', id).executeTakeFirst();
export const lockOrganization = (tx: Tx, id: string) => tx.selectFrom('organizations').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();

export const listLocations = (db: Db, orgId: string) =>
  db.selectFrom('locations').selectAll().where('organization_id', '=', orgId).orderBy('id').execute();
export const lockLocation = (tx: Tx, orgId: string, id: string) =>
  tx.selectFrom('locations').selectAll().where('organization_id', '=', orgId).where('id', '=', id).forUpdate().executeTakeFirst();

export const listStaff = (db: Db, orgId: string) =>
  db.selectFrom('staff_users').selectAll().where('organization_id', '=', orgId).orderBy('id').execute();
