// Loading, validating and compiling policy packs. Compiling turns the readable file into lookup
// structures (day numbers, parsed terms, maps by finding and category) once, so each decision only
// does arithmetic.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { PolicyInputError, formatPath } from './errors.ts';
import { parseDate, tryParseTerm, type Day, type Term } from './dates.ts';
import { packSchema, type PackFile, type PackVersion, type TermRule } from './pack-schema.ts';
import type { Condition, ItemKind, Texts } from './types.ts';

export const SHIPPED_PACKS = ['its', 'itmall', 'service-center', 'vn', 'itema'] as const;
export type ShippedPackId = (typeof SHIPPED_PACKS)[number];

const PACK_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../packs');

export interface CompiledTerm {
  source: TermRule;
  kinds?: Set<ItemKind>;
  categories?: Set<string>;
  conditions?: Set<Condition>;
  term: Term | null;
  minimum?: Term | null;
  commencement: readonly string[];
}

export interface CompiledVersion {
  packId: string;
  version: string;
  effective: Day;
  appliesToExisting: boolean;
  raw: PackVersion;
  terms: CompiledTerm[];
  parts: Map<string, { term: Term | null; rule: string }>;
  notCovered: Map<string, { rule: string; text: Texts }>;
  exclusions: Map<string, PackVersion['exclusions'][number]>;
  repairTerm?: { term: Term; rule: string };
  replacementMinimum?: { term: Term; rule: string };
  moduleCard?: { term?: Term | null; rule: string };
  legal?: { term: Term; commencement: readonly string[]; rule: string; text: Texts; repair: boolean; dispute: boolean; independence?: string };
  noFixWithin?: { term: Term; rules: string[] };
  remedyWindows: Map<string, Term>;
  plans: Map<string, { term: Term; rule: string; name: Texts }>;
  pixelCategories: Set<string>;
  /** Maintenance included with qualified hardware (ITM-1, `support.includedMaintenance`). */
  maintenance: CompiledMaintenance[];
  /** The category vocabulary: every normalized name and synonym → category code. */
  categoryWords: Map<string, string>;
  /** Every category code the version knows (terms, parts, never-covered items, vocabulary). */
  knownCategories: string[];
  knownCategorySet: Set<string>;
}

/** The maintenance included with qualified hardware (ITM-1): the pack's `support.includedMaintenance`. */
export interface CompiledMaintenance {
  rule: string;
  categories: Set<string>;
  commencement: readonly string[];
  term: Term;
  text: Texts;
}

export interface CompiledPack {
  id: string;
  name: Texts;
  /** Versions sorted by effective date. */
  versions: CompiledVersion[];
  file: PackFile;
}

function mustTerm(s: string): Term | null {
  const t = tryParseTerm(s);
  if (t === undefined) throw new Error(`unvalidated term ${s}`); // the schema checked it already
  return t;
}
const asSet = <T>(v: T | T[] | undefined): Set<T> | undefined => (v === undefined ? undefined : new Set(Array.isArray(v) ? v : [v]));

function compileVersion(packId: string, v: PackVersion): CompiledVersion {
  const nonNull = (t: Term | null, what: string): Term => {
    if (!t) throw new PolicyInputError([{ path: what, message: '"none" is not allowed here' }]);
    return t;
  };
  // ITEMA-3 / ITEMA-7: a category the business gives a part term is covered for that term, even
  // where the never-covered list names it (batteries, adapters: not covered unless the policy says).
  const notCovered = new Map<string, { rule: string; text: Texts }>();
  for (const n of v.notCovered) for (const c of n.categories) if (!(c in v.parts)) notCovered.set(c, { rule: n.rule, text: n.text });
  const lg = v.legalGuarantee;
  const rights = v.consumerRights;
  return {
    packId,
    version: v.version,
    effective: parseDate(v.effective),
    appliesToExisting: v.appliesToExisting,
    raw: v,
    terms: v.terms.map((t) => ({
      source: t,
      kinds: asSet(t.match.kind),
      categories: asSet(t.match.category),
      conditions: asSet(t.match.condition),
      term: mustTerm(t.duration),
      minimum: t.minimum === undefined ? undefined : mustTerm(t.minimum),
      commencement: t.commencement,
    })),
    parts: new Map(Object.entries(v.parts).map(([k, p]) => [k, { term: mustTerm(p.duration), rule: p.rule }])),
    notCovered,
    exclusions: new Map(v.exclusions.map((e) => [e.finding, e])),
    repairTerm: v.coverage.repairTerm && { term: nonNull(mustTerm(v.coverage.repairTerm.duration), 'coverage.repairTerm.duration'), rule: v.coverage.repairTerm.rule },
    replacementMinimum: v.coverage.replacementMinimum && {
      term: nonNull(mustTerm(v.coverage.replacementMinimum.duration), 'coverage.replacementMinimum.duration'),
      rule: v.coverage.replacementMinimum.rule,
    },
    moduleCard: v.coverage.moduleCard && {
      term: v.coverage.moduleCard.duration === undefined ? undefined : mustTerm(v.coverage.moduleCard.duration),
      rule: v.coverage.moduleCard.rule,
    },
    legal: lg && {
      term: nonNull(mustTerm(lg.duration), 'legalGuarantee.duration'),
      commencement: lg.commencement,
      rule: lg.rule,
      text: lg.text,
      repair: lg.suspendDuringRepair,
      dispute: lg.suspendDuringDispute,
      independence: lg.independenceRule,
    },
    noFixWithin: rights.noFixWithin && { term: nonNull(mustTerm(rights.noFixWithin.duration), 'consumerRights.noFixWithin'), rules: rights.noFixWithin.rules },
    remedyWindows: new Map(v.remedies.filter((r) => r.within).map((r) => [r.type, mustTerm(r.within!) as Term])),
    plans: new Map(v.extensionPlans.map((p) => [p.id, { term: nonNull(mustTerm(p.duration), `extensionPlans.${p.id}`), rule: p.rule, name: p.name }])),
    pixelCategories: new Set(v.pixelPolicy?.categories ?? []),
    maintenance: v.support?.includedMaintenance
      ? [
          {
            rule: v.support.includedMaintenance.rule,
            categories: new Set(v.support.includedMaintenance.categories),
            commencement: v.support.includedMaintenance.commencement,
            term: nonNull(mustTerm(v.support.includedMaintenance.duration), 'support.includedMaintenance.duration'),
            text: v.support.includedMaintenance.text,
          },
        ]
      : [],
    ...vocabulary(v),
  };
}

/** A word as the vocabulary compares it: lower case, no accents, words joined by hyphens. */
export function categoryKey(s: string): string {
  return s
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/gi, 'd')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
}

function vocabulary(v: PackVersion): { categoryWords: Map<string, string>; knownCategories: string[]; knownCategorySet: Set<string> } {
  const known = new Set<string>();
  for (const t of v.terms) for (const c of [t.match.category ?? []].flat()) known.add(c);
  for (const c of Object.keys(v.parts)) known.add(c);
  for (const n of v.notCovered) for (const c of n.categories) known.add(c);
  for (const c of v.pixelPolicy?.categories ?? []) known.add(c);
  for (const c of Object.keys(v.categories ?? {})) known.add(c);
  const words = new Map<string, string>();
  for (const c of known) words.set(categoryKey(c), c);
  for (const [code, entry] of Object.entries(v.categories ?? {})) {
    for (const w of [...Object.values(entry.names), ...entry.synonyms]) {
      const k = categoryKey(w as string);
      if (k && !words.has(k)) words.set(k, code);
    }
  }
  return { categoryWords: words, knownCategories: [...known].sort(), knownCategorySet: known };
}

/**
 * The category code of `category` in this version: itself when the version knows it, else the code
 * its vocabulary gives the words ("Enterprise infrastructure" → infrastructure), else itself.
 */
export function canonicalCategory(v: CompiledVersion, category: string): string {
  if (v.knownCategorySet.has(category)) return category;
  return v.categoryWords.get(categoryKey(category)) ?? category;
}

/** Validates a parsed pack document; throws PolicyInputError listing every problem. */
export function compilePack(doc: unknown): CompiledPack {
  const parsed = packSchema.safeParse(doc);
  if (!parsed.success) {
    throw new PolicyInputError(parsed.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
  }
  const file = parsed.data;
  const versions = file.versions.map((v) => compileVersion(file.id, v)).sort((a, b) => a.effective - b.effective);
  return { id: file.id, name: file.name, versions, file };
}

/** Parses YAML or JSON text (JSON is YAML) into a compiled pack. */
export function parsePack(text: string, fileName = 'pack'): CompiledPack {
  let doc: unknown;
  try {
    doc = parseYaml(text, { merge: true, prettyErrors: true });
  } catch (e) {
    const msg = e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e);
    throw new PolicyInputError([{ path: '', message: `${fileName} is not valid YAML or JSON: ${msg}` }]);
  }
  if (doc === null || typeof doc !== 'object') throw new PolicyInputError([{ path: '', message: `${fileName} is empty or not a mapping` }]);
  return compilePack(doc);
}

export function loadPackFile(file: string): CompiledPack {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new PolicyInputError([{ path: 'pack', message: `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` }]);
  }
  return parsePack(text, path.basename(file));
}

const shipped = new Map<string, CompiledPack>();

/** One of the five packs shipped with Aftercare, compiled once per process. */
export function getShippedPack(id: string): CompiledPack {
  let pack = shipped.get(id);
  if (!pack) {
    if (!(SHIPPED_PACKS as readonly string[]).includes(id)) {
      throw new PolicyInputError([{ path: 'pack', message: `unknown pack "${id}"; shipped packs are ${SHIPPED_PACKS.join(', ')}` }]);
    }
    pack = loadPackFile(path.join(PACK_DIR, `${id}.yaml`));
    shipped.set(id, pack);
  }
  return pack;
}

/** A shipped pack id, or a path to a pack file. */
export function resolvePack(idOrFile: string): CompiledPack {
  if ((SHIPPED_PACKS as readonly string[]).includes(idOrFile)) return getShippedPack(idOrFile);
  // A bare word is a pack id, not a file name: say which ids exist.
  if (!/[./\\]/.test(idOrFile)) getShippedPack(idOrFile);
  return loadPackFile(idOrFile);
}

/**
 * The version that governs an item (ITS-11): the one in force on its commencement date, unless a
 * later version in force at the moment asked declares that it applies to existing items too.
 * An item older than every version falls under the first one.
 */
export function selectVersion(pack: CompiledPack, commencement: Day | undefined, moment: Day): CompiledVersion {
  const vs = pack.versions;
  let chosen = vs[0];
  const anchor = commencement ?? moment;
  for (const v of vs) if (v.effective <= anchor) chosen = v;
  for (const v of vs) if (v.appliesToExisting && v.effective <= moment && v.effective > chosen.effective) chosen = v;
  return chosen;
}

export function findTerm(v: CompiledVersion, kind: ItemKind, category: string, condition: Condition): CompiledTerm | undefined {
  for (const t of v.terms) {
    if (t.kinds && !t.kinds.has(kind)) continue;
    if (t.categories && !t.categories.has(category)) continue;
    if (t.conditions && !t.conditions.has(condition)) continue;
    return t;
  }
  return undefined;
}
