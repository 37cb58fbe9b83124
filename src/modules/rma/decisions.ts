// What the policy engine says of an RMA item: its claim as the engine reads it and the decision on
// the device's history (covered, remedies, freight, missing proof). Nothing here computes a date.
import type { Db, Tx } from '../../db/index.ts';
import { problem } from '../../core/errors.ts';
import { decide, PolicyInputError, versionAt, type ClaimInput, type CompiledPack, type Decision } from '../../policy/index.ts';
import * as devicesRepo from '../devices/devices.repository.ts';
import * as devices from '../devices/devices.service.ts';
import { WarrantyErrors } from '../warranty/warranty.errors.ts';
import { RmaErrors } from './rma.errors.ts';

export interface ItemClaim {
  date: string;
  fault: string;
  serial: string;
  model: string | null;
  customer: { name: string; email: string | null };
  proofs: Record<string, boolean>;
  diagnosed?: boolean;
  findings?: string[];
  hardwareDefectConfirmed?: boolean;
}

export function claimOf(c: ItemClaim): ClaimInput {
  const details: ClaimInput['details'] = { name: c.customer.name, serial: c.serial, description: c.fault };
  if (c.customer.email) details.email = c.customer.email;
  if (c.model) details.model = c.model;
  return {
    date: c.date,
    problem: c.fault,
    details,
    proofs: c.proofs as ClaimInput['proofs'],
    diagnosed: c.diagnosed ?? false,
    findings: c.findings ?? [],
    ...(c.hardwareDefectConfirmed !== undefined ? { hardwareDefectConfirmed: c.hardwareDefectConfirmed } : {}),
  };
}

/** The engine's decision for one item, stored as JSON (texts serialize to { en, bg, vi }). */
export async function decideItem(db: Db | Tx, orgId: string, deviceId: string, pack: CompiledPack, c: ItemClaim, today: string): Promise<Decision> {
  const d = await devicesRepo.get(db, orgId, deviceId);
  const parts = await devicesRepo.partsOf(db, orgId, [deviceId]);
  const events = await devicesRepo.eventsOf(db, orgId, deviceId);
  try {
    return JSON.parse(JSON.stringify(decide(claimOf(c), { device: devices.toDeviceInput(d!, parts), events: devices.toDeviceEvents(events) }, pack, today)));
  } catch (e) {
    if (e instanceof PolicyInputError) {
      throw problem(WarrantyErrors, 'policy-input-invalid', 'The item cannot be evaluated by its policy', { errors: e.issues.map((i) => ({ field: i.path, message: i.message })) });
    }
    throw e;
  }
}

/** The pack's RMA section (ITM-3, ITM-5..14), or 409 when the business does not run RMAs. */
export function rmaPolicy(pack: CompiledPack, moment: Date) {
  const v = versionAt(pack, moment.toISOString());
  const p = v.raw.rma;
  if (!p) throw problem(RmaErrors, 'no-rma-policy', `The ${pack.id} policy does not run RMAs`);
  return { ...p, freight: v.raw.fees.freight, exclusions: v.raw.exclusions, clock: v.raw.clocks.find((c) => c.id === p.returnClock)! };
}
export type RmaPolicy = ReturnType<typeof rmaPolicy>;

export type StoredDecision = Pick<Decision, 'outcome' | 'basis' | 'provisional' | 'remedies' | 'charges' | 'missing' | 'reasons'> & { coverage?: unknown };

/** The remedies the decision leaves open (repair, replacement, advance-replacement, credit, ...). */
export const openRemedies = (d: unknown) => ((d as StoredDecision | null)?.remedies ?? []).map((r) => r.type as string);
export const isCovered = (d: unknown) => (d as StoredDecision | null)?.outcome === 'covered';
/** Who pays the outbound freight (ITM-7): the decision's charge, on a covered claim. */
export const outboundPayer = (d: unknown) => ((d as StoredDecision | null)?.charges ?? []).find((c) => c.type === 'outbound-freight')?.payer;
export const inboundPayer = (d: unknown) => ((d as StoredDecision | null)?.charges ?? []).find((c) => c.type === 'inbound-freight')?.payer;
