// What the policy engine says of an order: its claim as the engine reads it, and the decision on the
// device's history. Nothing here computes a warranty date.
import type { Db, Tx } from '../../db/index.ts';
import { problem } from '../../core/errors.ts';
import { WarrantyErrors } from '../warranty/warranty.errors.ts';
import type { Org } from '../../core/organization.ts';
import { todayIn } from '../../core/day.ts';
import { jsonPlain } from '../../core/json.ts';
import { decide, PolicyInputError, type ClaimInput, type CompiledPack, type Decision } from '../../policy/index.ts';
import * as devicesRepo from '../devices/devices.repository.ts';
import * as devices from '../devices/devices.service.ts';
import type { OrderRow } from './repository.ts';

export const policyError = (e: unknown): never => {
  if (e instanceof PolicyInputError) {
    throw problem(WarrantyErrors, 'policy-input-invalid', 'The order cannot be evaluated by its policy', { errors: e.issues.map((i) => ({ field: i.path, message: i.message })) });
  }
  throw e;
};

async function history(db: Db | Tx, orgId: string, deviceId: string) {
  const d = await devicesRepo.get(db, orgId, deviceId);
  if (!d) return undefined;
  const parts = await devicesRepo.partsOf(db, orgId, [deviceId]);
  const events = await devicesRepo.eventsOf(db, orgId, deviceId);
  return { device: devices.toDeviceInput(d, parts), events: devices.toDeviceEvents(events), row: d };
}

/** What the diagnosis recorded for the rules, as the engine reads it (ITEMA-16 pixels, ITEMA-5 country, ITEMA-7 / ITM-10 part). */
export function diagnosisFacts(o: Pick<OrderRow, 'dead_pixels' | 'use_country' | 'claim_part_id'>): Partial<ClaimInput> {
  return {
    ...(o.dead_pixels ? { deadPixels: o.dead_pixels as ClaimInput['deadPixels'] } : {}),
    ...(o.use_country ? { country: o.use_country } : {}),
    ...(o.claim_part_id ? { partId: o.claim_part_id } : {}),
  };
}

export function claimInput(o: OrderRow, extra: Partial<ClaimInput> = {}): ClaimInput {
  return {
    ...diagnosisFacts(o),
    date: o.claim_date,
    problem: o.problem,
    details: o.details as ClaimInput['details'],
    proofs: o.proofs as ClaimInput['proofs'],
    diagnosed: o.decision_final,
    findings: o.findings,
    ...(o.insignificant ? { insignificant: true } : {}),
    ...extra,
  };
}

/** Asks the engine; the decision is stored as JSON (texts serialize to { en, bg, vi }). */
export async function decideFor(db: Db | Tx, o: OrderRow, pack: CompiledPack, org: Org, extra: Partial<ClaimInput>, moment: Date): Promise<Decision | undefined> {
  if (!o.device_id) return undefined;
  const h = await history(db, o.organization_id, o.device_id);
  if (!h) return undefined;
  try {
    return decide(claimInput(o, extra), h, pack, todayIn(org.time_zone, moment));
  } catch (e) {
    return policyError(e);
  }
}

export const plain = <T>(x: T): T => jsonPlain(x);
export const reasonsOf = (d: Decision | undefined) => (d ? d.reasons.map((r) => ({ rule: r.rule, code: r.code })) : []);
