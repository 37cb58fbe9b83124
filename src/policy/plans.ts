// Warranty plans (ITS-3, ITS-10, ITEMA-29) and the proofs a claim needs (ITS-5, ITS-6, ITEMA-10):
// pure answers from the pack and the device's coverage, so no service decides them itself.
import { selectVersion, type CompiledPack, type CompiledVersion } from './pack.ts';
import { tryParseDate } from './dates.ts';
import { PolicyInputError } from './errors.ts';
import type { CoverageReport, DeviceInput, Texts } from './types.ts';

export type PlanWindow = 'at-sale' | 'during-coverage' | 'after-expiry';

export interface PlanOffer {
  id: string;
  name: Texts;
  duration: string;
  /** Integer minor units; undefined when the pack gives no price. */
  priceMinor?: number;
  currency: string;
  rule: string;
  /** The window the plan would be bought in now. */
  window: PlanWindow;
}

/** The windows open for a device as of its coverage report: with the product, while covered, after expiry. */
export function planWindows(coverage: CoverageReport): PlanWindow[] {
  const d = coverage.device;
  const out: PlanWindow[] = [];
  // At sale: the term has not begun yet (sold, not yet installed), or begins on the day asked.
  if (d.status === 'not-started' || d.start === coverage.at) out.push('at-sale');
  if (d.status === 'active' || d.status === 'suspended') out.push('during-coverage');
  if (d.status === 'expired') out.push('after-expiry');
  return out;
}

const list = <T>(x: T | T[] | undefined) => (x === undefined ? undefined : Array.isArray(x) ? x : [x]);

/** The pack version that governs a device's coverage report. */
export function versionOf(pack: CompiledPack, coverage: CoverageReport): CompiledVersion {
  const v = pack.versions.find((x) => x.version === coverage.policyVersion);
  if (v) return v;
  const at = tryParseDate(coverage.at);
  if (at === undefined) throw new PolicyInputError([{ path: 'at', message: `"${coverage.at}" is not a calendar date` }]);
  return selectVersion(pack, at, at);
}

/** The plans the device can be sold now, each in the window it would be bought in (ITS-3, ITS-10, ITEMA-29). */
export function planOffers(pack: CompiledPack, device: Pick<DeviceInput, 'kind' | 'category'>, coverage: CoverageReport): PlanOffer[] {
  const v = versionOf(pack, coverage);
  const open = planWindows(coverage);
  const out: PlanOffer[] = [];
  for (const p of v.raw.extensionPlans) {
    const kinds = list(p.devices?.kind);
    const cats = list(p.devices?.category);
    if (kinds && !kinds.includes(device.kind ?? 'device')) continue;
    if (cats && !cats.includes(device.category)) continue;
    const window = open.find((w) => p.buyable.includes(w));
    if (!window) continue;
    out.push({ id: p.id, name: p.name, duration: p.duration, ...(p.price ? { priceMinor: p.price.amount } : {}), currency: p.price?.currency ?? v.raw.settings.currency ?? 'EUR', rule: p.rule, window });
  }
  return out;
}

export interface ProofRequirement {
  /** The proofs of which one is enough ('invoice|serviceContract'). */
  anyOf: string[];
  rule: string;
  text: Texts;
  satisfied: boolean;
}

/** Each proof the pack asks of a claim, and whether the proofs on record satisfy it (ITS-5, ITS-6, ITEMA-10). */
export function proofRequirements(version: CompiledVersion, proofs: Partial<Record<string, boolean>>): ProofRequirement[] {
  return version.raw.requirements.proofs.map((p) => ({ anyOf: p.anyOf, rule: p.rule, text: p.text, satisfied: p.anyOf.some((k) => proofs[k] === true) }));
}
