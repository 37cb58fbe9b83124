// Warranty lookup: loads the device and its history and asks the policy engine. No warranty
// arithmetic happens here; every date and reason comes from computeCoverage.
import type { Db } from '../../db/index.ts';
import { computeCoverage, PolicyInputError, proofRequirements, versionOf, type CompiledPack, type ProofRequirement } from '../../policy/index.ts';
import { cachedPolicy, policyOf } from '../../core/policy-store.ts';
import type { CoverageReport, DeviceInput, Lang } from '../../policy/types.ts';
import type { Actor } from '../../core/actor.ts';
import { notFound, problem } from '../../core/errors.ts';
import { WarrantyErrors } from './warranty.errors.ts';
import { todayIn } from '../../core/day.ts';
import * as repo from './warranty.repository.ts';
import { toDeviceEvents } from '../devices/devices.service.ts';

function deviceInput(r: repo.LookupRow): DeviceInput {
  const d: DeviceInput = { serial: r.serial, category: r.category, kind: r.kind as DeviceInput['kind'], condition: r.condition as DeviceInput['condition'] };
  if (r.model) d.model = r.model;
  if (r.discount_defect) d.discountDefect = r.discount_defect;
  if (r.term) d.term = r.term;
  if (r.manufacturer_warranty_term) {
    d.manufacturerWarranty = { term: r.manufacturer_warranty_term, ...(r.manufacturer_warranty_provider ? { provider: r.manufacturer_warranty_provider } : {}) };
  }
  if (r.parts.length) d.parts = r.parts.map((p) => ({ id: p.part_key, category: p.category, ...(p.term ? { term: p.term } : {}) }));
  return d;
}

export interface WarrantyAnswer {
  device: { id: string; serial: string; manufacturer: string; model: string | null; category: string; condition: string; customerId: string | null };
  at: string;
  covered: boolean;
  explanation: string[];
  /** The proofs a claim needs (ITS-5, ITS-6, ITEMA-10) and whether those on record satisfy them. */
  requirements: ProofRequirement[];
  coverage: CoverageReport;
}

function answer(r: repo.LookupRow, pack: CompiledPack, at: string | undefined, lang: Lang): WarrantyAnswer {
  const moment = at ?? todayIn(r.time_zone);
  let coverage: CoverageReport;
  try {
    coverage = computeCoverage(deviceInput(r), toDeviceEvents(r.events), pack, moment);
  } catch (e) {
    if (e instanceof PolicyInputError) {
      throw problem(WarrantyErrors, 'policy-input-invalid', 'The device record cannot be evaluated by its policy', {
        errors: e.issues.map((i) => ({ field: i.path, message: i.message })),
      });
    }
    throw e;
  }
  const explanation = coverage.reasons.map((x) => `${x.rule}: ${x.text[lang] ?? x.text.en}`);
  const requirements = proofRequirements(versionOf(pack, coverage), r.proofs ?? {});
  return {
    device: { id: r.id, serial: r.serial, manufacturer: r.manufacturer, model: r.model, category: r.category, condition: r.condition, customerId: r.customer_id },
    at: moment,
    covered: coverage.device.covered,
    explanation,
    requirements,
    // The engine's texts may be lazy objects that render on first use; they serialize to plain
    // { en, bg, vi } objects through their toJSON.
    coverage,
  };
}

export async function bySerial(db: Db, actor: Actor, q: { serial: string; manufacturer?: string; at?: string; lang?: Lang }, batched?: repo.SerialLookup) {
  const rows = batched
    ? await batched({ orgId: actor.organizationId, serial: q.serial, ...(q.manufacturer ? { manufacturer: q.manufacturer } : {}) })
    : await repo.lookup(db, actor.organizationId, q);
  if (rows.length === 0) throw notFound(`Device with serial ${q.serial}`);
  if (rows.length > 1) {
    throw problem(WarrantyErrors, 'ambiguous-serial', `Several manufacturers use serial ${q.serial}; add ?manufacturer=`, {
      errors: [{ field: 'querystring.manufacturer', message: 'required: the serial is not unique' }],
      candidates: rows.map((r) => ({ id: r.id, manufacturer: r.manufacturer, model: r.model })),
    });
  }
  return answer(rows[0], await packOfRow(db, rows[0]), q.at, q.lang ?? 'en');
}

// The organization's policy at the revision the lookup's row shows: from the cache without a
// further await on the hot path.
const packOfRow = (db: Db, r: repo.LookupRow): CompiledPack | Promise<CompiledPack> => {
  const owner = { id: r.organization_id, pack_id: r.pack_id, policy_rev: r.policy_rev };
  return cachedPolicy(owner) ?? policyOf(db, owner);
};

export async function byDeviceId(db: Db, actor: Actor, id: string, q: { at?: string; lang?: Lang }) {
  const rows = await repo.lookup(db, actor.organizationId, { id });
  if (rows.length === 0) throw notFound('Device');
  return answer(rows[0], await packOfRow(db, rows[0]), q.at, q.lang ?? 'en');
}
