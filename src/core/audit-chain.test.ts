// Issue 15: the audit log is tamper-evident. Every row is chained to its organization's previous
// row (sha256 over the previous hash and the row) by the sealer after it commits (migration 0026:
// writers never queue on each other, issue 10); concurrent writers and sealers never fork the
// chain; `aftercare audit verify` seals, recomputes it and names the first row that was changed,
// replaced or removed.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { setupApp, type TestContext } from '../../test/db.ts';
import { systemActor } from './actor.ts';
import { audit, auditMany, sealAudit, verifyAuditChain } from './audit.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let t: TestContext;
beforeAll(async () => {
  t = await setupApp();
  await sealAudit(t.db);
});
afterAll(() => t?.close());

const verifyCli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/aftercare.mjs', 'audit', 'verify', ...args], { cwd: root, encoding: 'utf8', timeout: 120_000, env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' } });
const chain = (orgId: string) => t.db.selectFrom('audit_events').select(['id', 'chain_seq', 'prev_hash', 'hash', 'action']).where('organization_id', '=', orgId).orderBy('chain_seq').execute();
/** Changes a row behind the application's back, as someone with the database's superuser could. */
async function tamper(statement: ReturnType<typeof sql>) {
  await t.db.transaction().execute(async (tx) => {
    await sql`ALTER TABLE audit_events DISABLE TRIGGER USER`.execute(tx);
    await statement.execute(tx);
    await sql`ALTER TABLE audit_events ENABLE TRIGGER USER`.execute(tx);
  });
}

describe('the audit hash chain (issue 15)', () => {
  test('the demo data: every organization’s chain is intact, positions 1..n, each row linked to the one before', async () => {
    const reports = await verifyAuditChain(t.db);
    expect(reports.length).toBeGreaterThanOrEqual(3);
    for (const r of reports) expect(r, r.slug).toMatchObject({ broken: null });
    const rows = await chain(t.orgs['itema-pg']);
    expect(rows.length).toBeGreaterThan(0);
    rows.forEach((r, i) => {
      expect(Number(r.chain_seq)).toBe(i + 1);
      expect(r.prev_hash).toBe(i === 0 ? '' : rows[i - 1].hash);
      expect(r.hash).toMatch(/^[0-9a-f]{64}$/);
    });
    const head = reports.find((r) => r.slug === 'itema-pg')!.head!;
    expect(head).toEqual({ seq: String(rows.at(-1)!.chain_seq), hash: rows.at(-1)!.hash });
  });

  test('concurrent writers and sealers of one organization never fork the chain; a rolled-back write never reaches it', async () => {
    const org = t.orgs.itmall;
    const before = (await chain(org)).length;
    const actor = systemActor(org, 'test');
    await Promise.all([
      ...Array.from({ length: 24 }, (_, i) =>
        t.db.transaction().execute(async (tx) => {
          if (i % 3 === 0) await auditMany(tx, actor, [1, 2, 3].map((k) => ({ action: 'test.many', entityType: 'test', entityId: `${i}-${k}`, after: { k } })));
          else await audit(tx, actor, { action: 'test.one', entityType: 'test', entityId: String(i), before: { i }, after: { i: i + 1 } });
        }),
      ),
      ...Array.from({ length: 4 }, () => sealAudit(t.db, { organizationId: org })),
    ]);
    await t.db
      .transaction()
      .execute(async (tx) => {
        await audit(tx, actor, { action: 'test.rolled-back', entityType: 'test', entityId: 'x' });
        throw new Error('roll back');
      })
      .catch(() => {});
    await sealAudit(t.db, { organizationId: org });
    const rows = await chain(org);
    expect(rows.length).toBe(before + 16 + 8 * 3);
    rows.forEach((r, i) => expect(Number(r.chain_seq)).toBe(i + 1));
    expect(new Set(rows.map((r) => r.prev_hash)).size).toBe(rows.length); // no two rows after the same one
    expect(rows.some((r) => r.action === 'test.rolled-back')).toBe(false);
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0]).toMatchObject({ broken: null, unsealed: 0 });
  });

  test('an audited transaction never waits for another one of the same business (issue 10); its row is sealed once it commits', async () => {
    const org = t.orgs.itmall;
    const actor = systemActor(org, 'test');
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let written!: () => void;
    const wrote = new Promise<void>((r) => (written = r));
    // A: writes its audit row and stays open.
    const a = t.db.transaction().execute(async (tx) => {
      await audit(tx, actor, { action: 'test.slow', entityType: 'test', entityId: 'a' });
      written();
      await held;
    });
    await wrote;
    // B: writes and commits while A is open; a lock A held would time B out instead.
    await t.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL lock_timeout = '2s'`.execute(tx);
      await audit(tx, actor, { action: 'test.fast', entityType: 'test', entityId: 'b' });
    });
    // A seal now chains B, not A's uncommitted row; A is chained by the next seal after it commits.
    await sealAudit(t.db, { organizationId: org });
    expect((await chain(org)).map((r) => r.action).filter((x) => x.startsWith('test.') && x !== 'test.one' && x !== 'test.many')).toEqual(['test.fast']);
    release();
    await a;
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0]).toMatchObject({ broken: null, unsealed: 1 });
    await sealAudit(t.db, { organizationId: org });
    const rows = await chain(org);
    expect(rows.slice(-2).map((r) => r.action)).toEqual(['test.fast', 'test.slow']);
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0]).toMatchObject({ broken: null, unsealed: 0 });
  });

  test('the sealer may fill in the chain of an unsealed row and nothing else', async () => {
    const org = t.orgs.itmall;
    await t.db.transaction().execute((tx) => audit(tx, systemActor(org, 'test'), { action: 'test.unsealed', entityType: 'test', entityId: 'u', after: { a: 1 } }));
    const row = await t.db.selectFrom('audit_events').select('id').where('action', '=', 'test.unsealed').executeTakeFirstOrThrow();
    await expect(
      t.db.transaction().execute(async (tx) => {
        await sql`select set_config('aftercare.audit_seal', 'on', true)`.execute(tx);
        await sql`UPDATE audit_events SET after = '{"a": 2}'::jsonb, chain_seq = 999999, prev_hash = '', hash = '' WHERE id = ${row.id}`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(t.db.updateTable('audit_events').set({ chain_seq: '999999', prev_hash: '', hash: '' }).where('id', '=', row.id).execute()).rejects.toThrow(/append-only/);
    await sealAudit(t.db, { organizationId: org });
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0]).toMatchObject({ broken: null, unsealed: 0 });
  });

  test('the head moves only with the chain', async () => {
    await expect(t.db.updateTable('audit_heads').set({ seq: '1' }).where('organization_id', '=', t.orgs.itmall).execute()).rejects.toThrow(/audit_heads is written only/);
    await expect(t.db.deleteFrom('audit_events').where('organization_id', '=', t.orgs.itmall).execute()).rejects.toThrow(/append-only/);
  });

  test('a changed row is named by verify (exit 1); the other organizations stay intact', async () => {
    const org = t.orgs['itema-pg'];
    const victim = (await chain(org))[2];
    await tamper(sql`UPDATE audit_events SET after = '{"price": 1}'::jsonb WHERE id = ${victim.id}`);
    const [r] = await verifyAuditChain(t.db, { organizationId: org });
    expect(r.broken).toMatchObject({ id: String(victim.id), chainSeq: String(victim.chain_seq), reason: 'content-changed' });
    const cli = verifyCli();
    expect(cli.status, cli.stderr).toBe(1);
    expect(cli.stdout).toContain(`itema-pg: BROKEN at row ${victim.id} (position ${victim.chain_seq} of its chain`);
    expect(cli.stdout).toMatch(/itmall: intact, \d+ rows, head \d+ [0-9a-f]{64}/);
    expect(verifyCli('--org', 'itmall').status).toBe(0);
  });

  test('a row whose hash was recomputed after the change breaks the link of the next; a deleted row and a cut end are found', async () => {
    const org = t.orgs.vn;
    const rows = await chain(org);
    expect(rows.length).toBeGreaterThanOrEqual(4);
    // Changed and re-hashed: its own hash matches, the next row's link does not.
    await tamper(sql`UPDATE audit_events SET after = '{"forged": true}'::jsonb WHERE id = ${rows[0].id}`);
    await tamper(sql`UPDATE audit_events SET hash = audit_event_hash(prev_hash, audit_events) WHERE id = ${rows[0].id}`);
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0].broken).toMatchObject({ id: String(rows[1].id), reason: 'link-broken' });
    // Put back; then a row deleted from the middle.
    const original = rows[0].hash;
    await tamper(sql`UPDATE audit_events SET hash = ${original} WHERE id = ${rows[0].id}`);
    await tamper(sql`DELETE FROM audit_events WHERE id = ${rows[2].id}`);
    const [gap] = await verifyAuditChain(t.db, { organizationId: org });
    expect(gap.broken).toMatchObject({ id: String(rows[0].id), reason: 'content-changed' }); // the first change is still there
    await tamper(sql`DELETE FROM audit_events WHERE id = ${rows[0].id}`);
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0].broken).toMatchObject({ id: String(rows[1].id), reason: 'row-missing-before' });
  });

  test('rows cut from the end: the head is further on than the last row', async () => {
    const org = t.orgs['service-center'] ?? Object.values(t.orgs).find((id) => ![t.orgs['itema-pg'], t.orgs.vn, t.orgs.itmall].includes(id))!;
    const rows = await chain(org);
    await tamper(sql`DELETE FROM audit_events WHERE id = ${rows.at(-1)!.id}`);
    expect((await verifyAuditChain(t.db, { organizationId: org }))[0].broken).toMatchObject({ reason: 'rows-missing-at-end', chainSeq: String(rows.at(-1)!.chain_seq) });
  });
});
