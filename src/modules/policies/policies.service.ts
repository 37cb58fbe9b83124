// The business's own policy (issue 11): the draft a manager edits, its validation (the checks of
// `aftercare policy validate`, on the field), the simulator, publishing a version (ITS-11: from its
// effective date, for new devices or also for those already sold; the clients it governs are told
// through the outbox), the versions with their differences, and YAML export / import.
import { sql } from 'kysely';
import { stringify as toYaml, parse as parseYaml, YAMLParseError } from 'yaml';
import Holidays from 'date-holidays';
import type { Db, Tx } from '../../db/index.ts';
import { uuidv7 } from '../../db/ids.ts';
import type { Actor } from '../../core/actor.ts';
import { audit } from '../../core/audit.ts';
import { enqueue } from '../../core/outbox.ts';
import { notFound, problem, versionConflict } from '../../core/errors.ts';
import { todayIn } from '../../core/day.ts';
import { compileStored, policyOf, policyName, versionDoc, type StoredVersion } from '../../core/policy-store.ts';
import { computeCoverage, evaluatePackClock, PolicyInputError, packSchema, type CompiledPack, type PackVersion, type Texts } from '../../policy/index.ts';
import { formatDate, type DocLang } from '../documents/documents.i18n.ts';
import { PolicyErrors } from './policies.errors.ts';
import { bodyOf } from './templates.service.ts';
import { devicesOf, devicesOfIds } from './history-reader.ts';
import { scanDevices, type ScanOptions, type ScanPage, type ScanPolicies } from './simulate-scan.ts';
import { compareDevice, compareOrder, type DeviceChange, type OrderChange, type SimDevice, type SimOrder } from './simulate.ts';

type Body = Record<string, unknown>;

interface VersionRow extends StoredVersion {
  seq: number;
  origin: string;
  published_at: Date;
  published_by: string | null;
}

async function orgRow(db: Db | Tx, orgId: string) {
  const o = await db.selectFrom('organizations').select(['id', 'slug', 'name', 'pack_id', 'policy_rev', 'time_zone', 'languages', 'country']).where('id', '=', orgId).executeTakeFirst();
  if (!o) throw notFound('Organization');
  return o;
}

async function versionRows(db: Db | Tx, orgId: string): Promise<VersionRow[]> {
  return (await db
    .selectFrom('policy_versions')
    .select(['seq', 'label', 'effective', 'applies_to_existing', 'body', 'origin', 'published_at', 'published_by'])
    .where('organization_id', '=', orgId)
    .orderBy('seq')
    .execute()) as VersionRow[];
}

/** The organization's versions; one that has none yet gets its template as version 1 here. */
async function ensureVersions(db: Db | Tx, org: { id: string; pack_id: string }): Promise<VersionRow[]> {
  const rows = await versionRows(db, org.id);
  if (rows.length) return rows;
  const pack = await policyOf(db, { id: org.id, pack_id: org.pack_id, policy_rev: -1 });
  return pack.file.versions.map((v, i) => ({
    seq: i + 1,
    label: v.version,
    effective: v.effective,
    applies_to_existing: v.appliesToExisting,
    body: bodyOf(v),
    origin: org.pack_id,
    published_at: new Date(0),
    published_by: null,
  }));
}

// ---------- validation ----------

export interface FieldIssue {
  field: string;
  message: string;
}

/** The categories the business already uses: its devices', its parts', and the published policy's. */
async function knownCategories(db: Db | Tx, orgId: string, rows: VersionRow[]): Promise<Set<string>> {
  const known = new Set<string>();
  const r = await sql<{ category: string }>`
    select distinct category from devices where organization_id = ${orgId}
    union select distinct category from device_parts where organization_id = ${orgId}`.execute(db);
  for (const x of r.rows) known.add(x.category);
  for (const v of rows) for (const c of categoriesNamed(v.body as Body)) known.add(c);
  return known;
}

/** Every category a version names: its vocabulary, its terms, part terms, non-covered items, pixel policy. */
function categoriesNamed(b: Body): string[] {
  const out: string[] = [];
  const vocab = b.categories;
  if (vocab && typeof vocab === 'object' && !Array.isArray(vocab)) out.push(...Object.keys(vocab));
  for (const t of (b.terms as { match?: { category?: string | string[] } }[] | undefined) ?? []) out.push(...[t.match?.category ?? []].flat());
  out.push(...Object.keys((b.parts as Body | undefined) ?? {}));
  for (const n of (b.notCovered as { categories?: string[] }[] | undefined) ?? []) out.push(...(n.categories ?? []));
  out.push(...(((b.pixelPolicy as { categories?: string[] } | undefined)?.categories) ?? []));
  return out;
}

/**
 * The checks of `policy validate` on a draft body, as the next version of the business's policy,
 * plus the editor's own: a category must be one the business knows (its vocabulary, its devices,
 * its published terms).
 */
export function validateBody(rows: StoredVersion[], packId: string, body: unknown, known: Set<string>, meta = { label: 'draft', effective: '9999-12-31', appliesToExisting: false }): { issues: FieldIssue[]; pack?: CompiledPack } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return { issues: [{ field: 'body', message: 'a policy version is a mapping of settings, rules, terms, ...' }] };
  const b = body as Body;
  const candidate: StoredVersion = { label: meta.label, effective: meta.effective, applies_to_existing: meta.appliesToExisting, body: b };
  const others = rows.filter((r) => r.label !== meta.label);
  const doc = { id: packId, name: policyName(packId), versions: [...others, candidate].map(versionDoc) };
  const idx = others.length;
  const parsed = packSchema.safeParse(doc);
  const issues: FieldIssue[] = [];
  if (!parsed.success) {
    for (const i of parsed.error.issues) {
      const p = i.path.map(String);
      if (p[0] === 'versions' && p[1] === String(idx)) issues.push({ field: ['body', ...p.slice(2)].join('.'), message: i.message });
      else if (p[0] !== 'versions') issues.push({ field: 'body', message: i.message });
    }
  }
  // Vocabulary: a category nobody knows is a typo until the business adds it to its categories.
  const vocab = b.categories && typeof b.categories === 'object' ? Object.keys(b.categories as Body) : [];
  const allowed = new Set([...known, ...vocab]);
  const check = (c: unknown, field: string) => {
    if (typeof c === 'string' && !allowed.has(c)) issues.push({ field, message: `unknown category "${c}"; known categories: ${[...allowed].sort().join(', ')} (add it to the categories first)` });
  };
  ((b.terms as { match?: { category?: unknown } }[] | undefined) ?? []).forEach((t, i) => {
    const c = t?.match?.category;
    if (Array.isArray(c)) c.forEach((x, j) => check(x, `body.terms.${i}.match.category.${j}`));
    else check(c, `body.terms.${i}.match.category`);
  });
  ((b.notCovered as { categories?: unknown[] }[] | undefined) ?? []).forEach((n, i) => (Array.isArray(n?.categories) ? n.categories : []).forEach((x, j) => check(x, `body.notCovered.${i}.categories.${j}`)));
  // A part term is keyed by its category (ITEMA-7, ITM-10): a new one names a category the business knows.
  const parts = b.parts && typeof b.parts === 'object' && !Array.isArray(b.parts) ? Object.keys(b.parts as Body) : [];
  for (const c of parts) check(c, `body.parts.${c}`);
  if (issues.length) return { issues };
  return { issues, pack: compileStored(packId, [...others, candidate]) };
}

function invalid(issues: FieldIssue[]) {
  return problem(PolicyErrors, 'policy-invalid', `The policy has ${issues.length} problem(s); nothing was saved`, { errors: issues });
}

// ---------- the draft ----------

export interface DraftView {
  /** 0: no draft is stored; this is the version in force, to start one from. */
  version: number;
  baseSeq: number;
  body: Body;
  updatedAt: string | null;
  updatedBy: string | null;
}

export async function getDraft(db: Db, actor: Actor): Promise<DraftView> {
  const org = await orgRow(db, actor.organizationId);
  const d = await db.selectFrom('policy_drafts').selectAll().where('organization_id', '=', org.id).executeTakeFirst();
  if (d) return { version: d.version, baseSeq: d.base_seq, body: d.body as Body, updatedAt: d.updated_at.toISOString(), updatedBy: d.updated_by };
  const rows = await ensureVersions(db, org);
  const last = rows[rows.length - 1];
  return { version: 0, baseSeq: last.seq, body: structuredClone(last.body) as Body, updatedAt: null, updatedBy: null };
}

/** Saves the draft when valid (send the version you read: 0 for a first draft); else 422 naming each field. */
export async function saveDraft(db: Db, actor: Actor, input: { version: number; body: unknown }): Promise<DraftView> {
  return db.transaction().execute(async (tx) => {
    const org = await orgRow(tx, actor.organizationId);
    await sql`select pg_advisory_xact_lock(hashtext('aftercare-policy-draft'), hashtext(${org.id}))`.execute(tx);
    const cur = await tx.selectFrom('policy_drafts').selectAll().where('organization_id', '=', org.id).executeTakeFirst();
    if ((cur?.version ?? 0) !== input.version) throw versionConflict(cur ? { version: cur.version, body: cur.body } : { version: 0 });
    const rows = await ensureVersions(tx, org);
    const { issues } = validateBody(rows, org.pack_id, input.body, await knownCategories(tx, org.id, rows));
    if (issues.length) throw invalid(issues);
    const baseSeq = rows[rows.length - 1].seq;
    const by = actor.name;
    const row = cur
      ? await tx.updateTable('policy_drafts').set({ body: JSON.stringify(input.body), version: cur.version + 1, updated_by: by, updated_at: new Date() }).where('organization_id', '=', org.id).returningAll().executeTakeFirstOrThrow()
      : await tx.insertInto('policy_drafts').values({ organization_id: org.id, body: JSON.stringify(input.body), base_seq: baseSeq, version: 1, updated_by: by }).returningAll().executeTakeFirstOrThrow();
    await audit(tx, actor, { action: 'policy.draft-saved', entityType: 'organization', entityId: org.id, after: { draftVersion: row.version } });
    return { version: row.version, baseSeq: row.base_seq, body: row.body as Body, updatedAt: row.updated_at.toISOString(), updatedBy: row.updated_by };
  });
}

export async function discardDraft(db: Db, actor: Actor) {
  await db.transaction().execute(async (tx) => {
    const r = await tx.deleteFrom('policy_drafts').where('organization_id', '=', actor.organizationId).executeTakeFirst();
    if (Number(r.numDeletedRows)) await audit(tx, actor, { action: 'policy.draft-discarded', entityType: 'organization', entityId: actor.organizationId });
  });
}

// ---------- versions ----------

export const versionView = (r: VersionRow, inForce: boolean) => ({
  seq: r.seq,
  label: r.label,
  effective: r.effective,
  appliesToExisting: r.applies_to_existing,
  origin: r.origin,
  publishedAt: r.published_at.toISOString(),
  publishedBy: r.published_by,
  inForce,
});

export async function listVersions(db: Db, actor: Actor) {
  const org = await orgRow(db, actor.organizationId);
  const rows = await ensureVersions(db, org);
  const today = todayIn(org.time_zone);
  const inForce = [...rows].reverse().find((r) => r.effective <= today)?.seq ?? rows[0].seq;
  return { items: rows.map((r) => versionView(r, r.seq === inForce)), hasDraft: !!(await db.selectFrom('policy_drafts').select('version').where('organization_id', '=', org.id).executeTakeFirst()) };
}

export async function getVersion(db: Db, actor: Actor, seq: number) {
  const org = await orgRow(db, actor.organizationId);
  const rows = await ensureVersions(db, org);
  const r = rows.find((x) => x.seq === seq);
  if (!r) throw notFound(`Policy version ${seq}`);
  return { ...versionView(r, false), body: r.body as Body };
}

export interface Difference {
  path: string;
  before?: unknown;
  after?: unknown;
}

/** Leaf-by-leaf differences between two version bodies, by path (terms.0.duration, ...). */
export function diffBodies(a: unknown, b: unknown, path = ''): Difference[] {
  const isObj = (x: unknown): x is Record<string, unknown> => !!x && typeof x === 'object';
  if (isObj(a) && isObj(b) && Array.isArray(a) === Array.isArray(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])];
    return keys.flatMap((k) => diffBodies(a[k], b[k], path ? `${path}.${k}` : k));
  }
  if (JSON.stringify(a) === JSON.stringify(b)) return [];
  return [{ path, ...(a === undefined ? {} : { before: a }), ...(b === undefined ? {} : { after: b }) }];
}

/** A version against the one before it (the first: against nothing); `draft` compares the draft with the version in force. */
export async function diffVersion(db: Db, actor: Actor, seq: number | 'draft') {
  const org = await orgRow(db, actor.organizationId);
  const rows = await ensureVersions(db, org);
  if (seq === 'draft') {
    const d = await getDraft(db, actor);
    const base = rows[rows.length - 1];
    return { from: base.seq, to: 'draft' as const, changes: diffBodies(base.body, d.body) };
  }
  const i = rows.findIndex((x) => x.seq === seq);
  if (i < 0) throw notFound(`Policy version ${seq}`);
  return { from: i > 0 ? rows[i - 1].seq : null, to: seq, changes: diffBodies(i > 0 ? rows[i - 1].body : {}, rows[i].body) };
}

// ---------- export / import ----------

/** The policy as a pack file (`aftercare policy validate` reads it): every version, or one. */
export async function exportYaml(db: Db, actor: Actor, seq?: number): Promise<string> {
  const org = await orgRow(db, actor.organizationId);
  const rows = await ensureVersions(db, org);
  const pick = seq === undefined ? rows : rows.filter((r) => r.seq === seq);
  if (!pick.length) throw notFound(`Policy version ${seq}`);
  const doc = { id: org.pack_id, name: policyName(org.pack_id), source: `${org.name}: exported by Aftercare`, versions: pick.map(versionDoc) };
  return toYaml(doc, { lineWidth: 0 });
}

/**
 * A pack file (YAML or JSON) as the draft: its last version's body (or the one labelled `version`).
 * Refused with the field of each problem when the file or that version is not valid.
 */
export async function importYaml(db: Db, actor: Actor, input: { yaml: string; version?: string; draftVersion: number }): Promise<DraftView> {
  let doc: unknown;
  try {
    doc = parseYaml(input.yaml, { merge: true });
  } catch (e) {
    throw invalid([{ field: 'body.yaml', message: `not valid YAML or JSON: ${e instanceof YAMLParseError ? e.message.split('\n')[0] : String(e)}` }]);
  }
  const parsed = packSchema.safeParse(doc);
  if (!parsed.success) throw invalid(parsed.error.issues.map((i) => ({ field: ['body.yaml', ...i.path.map(String)].join('.'), message: i.message })));
  const vs = parsed.data.versions;
  const v = input.version ? vs.find((x) => x.version === input.version) : vs[vs.length - 1];
  if (!v) throw invalid([{ field: 'body.version', message: `the file has no version "${input.version}" (it has: ${vs.map((x) => x.version).join(', ')})` }]);
  // The raw mapping of that version (before defaults), so the draft keeps what the file says.
  const raw = (doc as { versions: Body[] }).versions[vs.indexOf(v)];
  return saveDraft(db, actor, { version: input.draftVersion, body: bodyOf(raw as unknown as PackVersion) });
}

// ---------- holidays ----------

/** National (and regional) public holidays of a year, from date-holidays, as the calendar uses them. */
export function holidaysOf(country: string, year: number, region?: string, lang = 'en') {
  const hd = region ? new Holidays(country, region) : new Holidays(country);
  if (!hd.getCountries()[country.toUpperCase()]) return null;
  hd.setLanguages(lang);
  return (hd.getHolidays(year) || []).filter((h) => h.type === 'public').map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
}

// ---------- simulator ----------

export interface SimulateInput {
  effective: string;
  appliesToExisting: boolean;
  /** The day the answers are compared on (default: the effective date, or today when later). */
  at?: string;
}

export interface SimulationResult {
  at: string;
  effective: string;
  appliesToExisting: boolean;
  devices: { simulated: number; changed: number; endMoved: number; nowCovered: number; nowNotCovered: number; partCards: number; cannotEvaluate: number };
  orders: { simulated: number; changed: number; decisionsChanged: number; deadlinesMoved: number };
  deviceChanges: DeviceChange[];
  orderChanges: OrderChange[];
}

const CLOSED = ['handed-over', 'returned', 'disposed', 'cancelled'];

/** The policy as published and with the draft appended as the next version. */
async function sides(db: Db | Tx, org: { id: string; pack_id: string; policy_rev: number }, body: unknown, meta: { label: string; effective: string; appliesToExisting: boolean }) {
  const rows = await ensureVersions(db, org);
  const before = rows.length ? compileStored(org.pack_id, rows) : await policyOf(db, org);
  const { issues, pack } = validateBody(rows, org.pack_id, body, await knownCategories(db, org.id, rows), meta);
  if (issues.length || !pack) throw invalid(issues);
  // The same two policies as stored versions, for the scan's worker threads to compile.
  const plain = (r: StoredVersion): StoredVersion => ({ label: r.label, effective: r.effective, applies_to_existing: r.applies_to_existing, body: r.body });
  const draft: StoredVersion = { label: meta.label, effective: meta.effective, applies_to_existing: meta.appliesToExisting, body };
  const stored: ScanPolicies = { packId: org.pack_id, before: rows.map(plain), after: [...rows.filter((r) => r.label !== meta.label).map(plain), draft] };
  return { rows, before, after: pack, stored };
}

/**
 * What the draft would change. `page`: the device changes to return (of one kind, from an offset, at
 * most a limit; default all), the counts are always over every device. `scan`: where the device scan
 * may run in worker threads (simulate-scan.ts).
 */
export async function simulate(db: Db, actor: Actor, input: SimulateInput, now = new Date(), opts: { page?: ScanPage; scan?: ScanOptions } = {}): Promise<SimulationResult & { matching: number }> {
  const org = await orgRow(db, actor.organizationId);
  const d = await db.selectFrom('policy_drafts').selectAll().where('organization_id', '=', org.id).executeTakeFirst();
  if (!d) throw problem(PolicyErrors, 'no-draft', 'There is no draft to simulate');
  const today = todayIn(org.time_zone, now);
  const { before, after, stored } = await sides(db, org, d.body, { label: 'draft', effective: input.effective, appliesToExisting: input.appliesToExisting });
  const at = input.at ?? (input.effective > today ? input.effective : today);
  const scan = await scanDevices(db, org.id, stored, at, opts.page ?? { offset: 0, limit: Infinity }, opts.scan);
  const res: SimulationResult & { matching: number } = {
    at,
    effective: input.effective,
    appliesToExisting: input.appliesToExisting,
    devices: scan.devices,
    orders: { simulated: 0, changed: 0, decisionsChanged: 0, deadlinesMoved: 0 },
    deviceChanges: scan.changes,
    orderChanges: [],
    matching: scan.matching,
  };
  const deviceById = new Map<string, SimDevice>();
  // Open orders: the engine's decision for the claim and the running clocks' deadlines.
  const orders = await db
    .selectFrom('service_orders')
    .select(['id', 'number', 'claim_date', 'device_id', 'decision'])
    .where('organization_id', '=', org.id)
    .where('state', 'not in', CLOSED)
    .orderBy('id')
    .execute();
  const clocks = await db
    .selectFrom('clocks')
    .select(['id', 'subject_id', 'clock_id', 'started_at', 'due_at'])
    .where('organization_id', '=', org.id)
    .where('subject_type', '=', 'service-order')
    .where('stopped_at', 'is', null)
    .execute();
  const pauses = await db.selectFrom('clock_pauses').select(['clock_row_id', 'paused_at', 'resumed_at']).where('organization_id', '=', org.id).execute();
  const orderDevices = [...new Set(orders.map((o) => o.device_id).filter((x): x is string => !!x))];
  for await (const page of devicesOfIds(db, org.id, orderDevices)) for (const dev of page) deviceById.set(dev.id, dev);
  for (const o of orders) {
    res.orders.simulated++;
    const own = clocks.filter((c) => c.subject_id === o.id);
    const so: SimOrder = {
      id: o.id,
      number: o.number,
      claimDate: o.claim_date,
      device: o.device_id ? (deviceById.get(o.device_id) ?? null) : null,
      clocks: own.map((c) => ({ clock: c.clock_id, due: c.due_at ? c.due_at.toISOString() : null })),
      decided: (o.decision as { outcome: string } | null) ?? null,
    };
    const dueOf = (pack: CompiledPack, clockId: string) => {
      const c = own.find((x) => x.clock_id === clockId)!;
      try {
        const ps = pauses.filter((p) => p.clock_row_id === c.id).map((p) => ({ from: p.paused_at.toISOString(), ...(p.resumed_at ? { to: p.resumed_at.toISOString() } : {}) }));
        const s = evaluatePackClock(pack, clockId, { start: c.started_at.toISOString(), pauses: ps }, now.toISOString());
        return new Date(s.due).toISOString();
      } catch (e) {
        if (e instanceof PolicyInputError) return null;
        throw e;
      }
    };
    // Compare the engine with the engine: the deadline the published policy gives now vs the draft's.
    so.clocks = so.clocks.map((c) => ({ clock: c.clock, due: dueOf(before, c.clock) }));
    const ch = compareOrder(so, before, after, dueOf);
    if (!ch) continue;
    res.orders.changed++;
    if (ch.kinds.includes('decision-changed')) res.orders.decisionsChanged++;
    if (ch.kinds.includes('deadline-moved')) res.orders.deadlinesMoved++;
    res.orderChanges.push(ch);
  }
  return res;
}

// ---------- publishing ----------

export interface PublishInput {
  /** The draft version you read (optimistic). */
  draftVersion: number;
  effective: string;
  appliesToExisting: boolean;
  label?: string;
}

/** What changed for one device, in the client's language (the notice's summary). */
function deviceSummary(lang: DocLang, dev: { serial: string; label: string }, c: DeviceChange | null): string {
  const d = (x: string | null) => (x ? formatDate(lang, x) : '—');
  const name = `${dev.label} (${dev.serial})`;
  if (!c) return { en: `${name}: its warranty stays as it was.`, bg: `${name}: гаранцията му остава същата.`, vi: `${name}: bảo hành giữ nguyên như trước.` }[lang];
  const lines: string[] = [];
  if (c.kinds.includes('now-not-covered')) lines.push({ en: `${name}: no longer covered by the warranty.`, bg: `${name}: вече не е в гаранция.`, vi: `${name}: không còn được bảo hành.` }[lang]);
  else if (c.kinds.includes('now-covered')) lines.push({ en: `${name}: now covered by the warranty until ${d(c.after.end)}.`, bg: `${name}: вече е в гаранция до ${d(c.after.end)}.`, vi: `${name}: nay được bảo hành đến ${d(c.after.end)}.` }[lang]);
  else if (c.kinds.includes('end-moved'))
    lines.push({ en: `${name}: the warranty now ends on ${d(c.after.end)} (it ended on ${d(c.before.end)}).`, bg: `${name}: гаранцията вече изтича на ${d(c.after.end)} (досега на ${d(c.before.end)}).`, vi: `${name}: bảo hành nay kết thúc ngày ${d(c.after.end)} (trước đây là ${d(c.before.end)}).` }[lang]);
  for (const p of c.parts)
    lines.push({ en: `  part ${p.category}: covered until ${d(p.after.end)} (was ${d(p.before.end)}).`, bg: `  част ${p.category}: в гаранция до ${d(p.after.end)} (досега ${d(p.before.end)}).`, vi: `  linh kiện ${p.category}: bảo hành đến ${d(p.after.end)} (trước đây ${d(p.before.end)}).` }[lang]);
  return lines.join('\n') || { en: `${name}: its warranty stays as it was.`, bg: `${name}: гаранцията му остава същата.`, vi: `${name}: bảo hành giữ nguyên như trước.` }[lang];
}

async function nextLabel(tx: Tx, orgId: string, effective: string): Promise<string> {
  const labels = new Set((await tx.selectFrom('policy_versions').select('label').where('organization_id', '=', orgId).execute()).map((r) => r.label));
  const year = effective.slice(0, 4);
  for (let n = 1; ; n++) if (!labels.has(`${year}.${n}`)) return `${year}.${n}`;
}

export async function publish(db: Db, actor: Actor, input: PublishInput, now = new Date()) {
  return db.transaction().execute((tx) => publishIn(tx, actor, input, now));
}

/** Publishes the draft inside the caller's transaction (the route's idempotency record shares it). */
export async function publishIn(tx: Tx, actor: Actor, input: PublishInput, now = new Date()) {
  {
    const org = await tx.selectFrom('organizations').select(['id', 'slug', 'name', 'pack_id', 'policy_rev', 'time_zone', 'languages', 'country']).where('id', '=', actor.organizationId).forUpdate().executeTakeFirstOrThrow();
    const d = await tx.selectFrom('policy_drafts').selectAll().where('organization_id', '=', org.id).executeTakeFirst();
    if (!d) throw problem(PolicyErrors, 'no-draft', 'There is no draft to publish');
    if (d.version !== input.draftVersion) throw versionConflict({ version: d.version, body: d.body });
    const today = todayIn(org.time_zone, now);
    if (input.effective < today) {
      // A version may reach back only where no order was decided since (its decision would change under it).
      const r = await tx
        .selectFrom('service_orders')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', org.id)
        .where('decision', 'is not', null)
        .where('claim_date', '>=', input.effective)
        .executeTakeFirstOrThrow();
      if (Number(r.n) > 0) {
        throw problem(PolicyErrors, 'effective-rewrites-decisions', `${r.n} order(s) were decided on or after ${input.effective} under the published terms`, {
          errors: [{ field: 'body.effective', message: `${input.effective} is before today (${today}) and ${r.n} order(s) were decided since then; choose ${today} or later` }],
        });
      }
    }
    const label = input.label ?? (await nextLabel(tx, org.id, input.effective));
    if (await tx.selectFrom('policy_versions').select('seq').where('organization_id', '=', org.id).where('label', '=', label).executeTakeFirst()) {
      throw invalid([{ field: 'body.label', message: `version "${label}" exists already` }]);
    }
    const { rows, before, after } = await sides(tx, org, d.body, { label, effective: input.effective, appliesToExisting: input.appliesToExisting });
    // An organization still on its template (created before policies were stored) keeps it as its first versions.
    const stored = await versionRows(tx, org.id);
    if (!stored.length) {
      for (const r of rows) {
        await tx.insertInto('policy_versions').values({ id: uuidv7(), organization_id: org.id, seq: r.seq, label: r.label, effective: r.effective, applies_to_existing: r.applies_to_existing, body: JSON.stringify(r.body), origin: r.origin, published_by: 'template' }).execute();
      }
    }
    const seq = rows[rows.length - 1].seq + 1;
    const row = await tx
      .insertInto('policy_versions')
      .values({ id: uuidv7(), organization_id: org.id, seq, label, effective: input.effective, applies_to_existing: input.appliesToExisting, body: JSON.stringify(d.body), origin: 'editor', published_by: actor.name, published_at: now })
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx.updateTable('organizations').set({ policy_rev: org.policy_rev + 1 }).where('id', '=', org.id).execute();
    await tx.deleteFrom('policy_drafts').where('organization_id', '=', org.id).execute();
    await audit(tx, actor, { action: 'policy.published', entityType: 'organization', entityId: org.id, after: { seq, label, effective: input.effective, appliesToExisting: input.appliesToExisting } });

    // ITS-11: the clients whose devices the new version governs are told, in their language, what
    // changed for each device. Compared on the effective date (or today, when later).
    const at = input.effective > today ? input.effective : today;
    const byCustomer = new Map<string, { dev: SimDevice; change: DeviceChange | null }[]>();
    for await (const page of devicesOf(tx, org.id)) {
      for (const dev of page) {
        if (!dev.customerId) continue;
        let governed: boolean;
        try {
          governed = computeCoverage(dev.input, dev.events, after, at).policyVersion === label;
        } catch (e) {
          if (e instanceof PolicyInputError) continue;
          throw e;
        }
        if (!governed) continue;
        const change = compareDevice(dev, before, after, at);
        let l = byCustomer.get(dev.customerId);
        if (!l) byCustomer.set(dev.customerId, (l = []));
        l.push({ dev, change });
      }
    }
    const labels = new Map<string, string>();
    if (byCustomer.size) {
      const ids = [...byCustomer.values()].flat().map((x) => x.dev.id);
      for (let i = 0; i < ids.length; i += 1000) {
        for (const r of await tx.selectFrom('devices').select(['id', 'manufacturer', 'model']).where('organization_id', '=', org.id).where('id', 'in', ids.slice(i, i + 1000)).execute()) {
          labels.set(r.id, [r.manufacturer, r.model].filter(Boolean).join(' '));
        }
      }
    }
    let notified = 0;
    for (const [customerId, devs] of byCustomer) {
      const summary = Object.fromEntries((['en', 'bg', 'vi'] as const).map((lang) => [lang, devs.map(({ dev, change }) => deviceSummary(lang, { serial: dev.serial, label: labels.get(dev.id) ?? '' }, change)).join('\n')])) as Texts;
      await enqueue(tx, {
        organizationId: org.id,
        topic: 'policy.changed',
        aggregateType: 'organization',
        aggregateId: org.id,
        payload: { customerId, version: label, effective: input.effective, rule: 'ITS-11', summary, devices: devs.map((x) => x.dev.id), changed: devs.filter((x) => x.change).length },
        dedupeKey: `policy:${seq}:${customerId}`,
      });
      notified++;
    }
    return { version: versionView(row as VersionRow, input.effective <= today), notified };
  }
}

/** Which values are the business's own settings rather than the seed's rule (marked `setting` in the pack). */
export function settingPaths(body: unknown, path = ''): string[] {
  if (!body || typeof body !== 'object') return [];
  const o = body as Record<string, unknown>;
  const out: string[] = [];
  if (o.setting === true) out.push(path);
  for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object') out.push(...settingPaths(v, path ? `${path}.${k}` : k));
  return out;
}

export async function currentPack(db: Db | Tx, orgId: string) {
  const org = await orgRow(db, orgId);
  return policyOf(db, org);
}
