// Bad input gets a PolicyInputError naming the field, never a stack trace; the CLI prints every
// problem with its path and exits 1, and decides the example cases.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCase } from './case.ts';
import { computeCoverage } from './coverage.ts';
import { decide } from './decide.ts';
import { PolicyInputError, type InputIssue } from './errors.ts';
import { getShippedPack, resolvePack, SHIPPED_PACKS } from './pack.ts';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin/aftercare.mjs');

/** The issues of the PolicyInputError that fn throws; fails if it throws anything else or nothing. */
function issuesOf(fn: () => unknown): InputIssue[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(PolicyInputError);
    return (e as PolicyInputError).issues;
  }
  throw new Error('expected a PolicyInputError, nothing was thrown');
}

const goodCase = () => ({
  moment: '2026-05-02',
  device: { category: 'laptop', condition: 'refurbished', term: '12 months' },
  events: [{ type: 'sale', date: '2026-01-10' }] as { type: string; date: string; planId?: string }[],
});

describe('parseCase names every bad field', () => {
  it('accepts the good case', () => {
    expect(parseCase(goodCase()).device.category).toBe('laptop');
  });

  it('refuses an impossible date like 2026-02-30', () => {
    const c = goodCase();
    c.events.push({ type: 'repair-accepted', date: '2026-02-30' });
    expect(issuesOf(() => parseCase(c))).toEqual([{ path: 'events[1].date', message: '"2026-02-30" is not a calendar date like 2026-03-01' }]);
    expect(issuesOf(() => parseCase({ ...goodCase(), moment: '2026-02-30' })).map((i) => i.path)).toEqual(['moment']);
  });

  it('refuses a negative duration', () => {
    const c = { ...goodCase(), device: { ...goodCase().device, term: '-3 months' } };
    const [issue] = issuesOf(() => parseCase(c));
    expect(issue.path).toBe('device.term');
    expect(issue.message).toMatch(/"-3 months" is not a duration like "3 months" \(a duration cannot be negative\)/);
  });

  it('refuses an event before the sale', () => {
    const c = goodCase();
    c.events.push({ type: 'repair-accepted', date: '2025-12-01' });
    expect(issuesOf(() => parseCase(c))).toEqual([{ path: 'events[1].date', message: 'repair-accepted on 2025-12-01 is before the sale on 2026-01-10' }]);
  });

  it('refuses an extension without its plan', () => {
    const c = goodCase();
    c.events.push({ type: 'extension-purchased', date: '2026-02-01' });
    expect(issuesOf(() => parseCase(c)).map((i) => i.path)).toEqual(['events[1].planId']);
  });

  it('lists every problem at once', () => {
    const c = { moment: '2026-13-01', device: { category: '', condition: 'mint' }, events: [{ type: 'sold', date: '2026-01-10' }] };
    const paths = issuesOf(() => parseCase(c)).map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining(['moment', 'device.category', 'device.condition', 'events[0].type']));
  });
});

describe('the engine names the field', () => {
  const sale = [{ type: 'sale' as const, date: '2026-01-10' }];

  it('refuses an unknown category', () => {
    const issues = issuesOf(() => computeCoverage({ category: 'toaster' }, sale, getShippedPack('itmall'), '2026-02-01'));
    expect(issues).toHaveLength(1);
    expect(issues[0].path).toBe('device.category');
    // The refusal lists the categories the pack knows (the domain vocabulary).
    expect(issues[0].message).toMatch(/^no term of pack itmall 2026\.1 applies to a new device of category "toaster"; known categories: .*\bserver\b.*\bworkstation\b/);
  });

  it('refuses an unknown pack id', () => {
    expect(issuesOf(() => getShippedPack('acme'))).toEqual([{ path: 'pack', message: `unknown pack "acme"; shipped packs are ${SHIPPED_PACKS.join(', ')}` }]);
    expect(issuesOf(() => resolvePack('acme')).map((i) => i.path)).toEqual(['pack']);
  });

  it('refuses an unknown extension plan', () => {
    const events = [{ type: 'installation' as const, date: '2026-03-01' }, { type: 'extension-purchased' as const, date: '2026-04-01', planId: 'platinum' }];
    const issues = issuesOf(() => decide({ date: '2026-04-02' }, { device: { category: 'pc' }, events }, getShippedPack('its'), '2026-04-02'));
    expect(issues).toEqual([{ path: 'events[1].planId', message: '"platinum" is not an extension plan of this pack (plus-6-months, plus-12-months)' }]);
  });

  it('refuses an impossible date given straight to the engine', () => {
    expect(issuesOf(() => computeCoverage({ category: 'pc' }, [{ type: 'installation', date: '2026-02-30' }], getShippedPack('its'), '2026-04-01')).map((i) => i.path)).toEqual(['events[0].date']);
    expect(issuesOf(() => decide({ date: '2026-02-30' }, { device: { category: 'pc' }, events: [] }, getShippedPack('its'), '2026-04-01')).map((i) => i.path)).toEqual(['claim.date']);
    expect(issuesOf(() => decide({ date: '2026-03-01' }, { device: { category: 'pc' }, events: [] }, getShippedPack('its'), '2026-04-31')).map((i) => i.path)).toEqual(['moment']);
  });

  it('refuses a negative term given straight to the engine', () => {
    const issues = issuesOf(() => computeCoverage({ category: 'laptop', condition: 'refurbished', term: '-3 months' }, [{ type: 'sale', date: '2026-01-10' }], getShippedPack('itema'), '2026-02-01'));
    expect(issues.map((i) => i.path)).toEqual(['device.term']);
  });

  it('refuses a claim dated after the moment asked', () => {
    expect(issuesOf(() => decide({ date: '2026-05-01' }, { device: { category: 'pc' }, events: [] }, getShippedPack('its'), '2026-04-01')).map((i) => i.path)).toEqual(['claim.date']);
  });
});

describe('the CLI', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aftercare-case-test-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]) => spawnSync(process.execPath, [CLI, 'policy', ...args], { cwd: REPO, encoding: 'utf8' });

  it('validate exits 1 and prints every problem of a bad pack with its path', () => {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(
      file,
      [
        'id: Bad Pack',
        'name: { en: Bad }',
        'versions:',
        '  - version: "1"',
        '    effective: 2026-02-30',
        '    settings: { timeZone: UTC, currency: euro, languages: [en], calendar: { mode: business } }',
        '    rules: { ITS-2: { en: "90 days" } }',
        '    terms:',
        '      - { match: {}, duration: 3 mnths, commencement: [sale], rule: ITS-2 }',
      ].join('\n'),
    );
    const r = run('validate', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('invalid policy pack');
    expect(r.stderr).toContain('id: a pack id is kebab-case like service-center');
    expect(r.stderr).toContain('versions[0].effective: "2026-02-30" is not a calendar date like 2026-03-01');
    expect(r.stderr).toContain('versions[0].settings.currency: a currency is an ISO 4217 code like EUR');
    expect(r.stderr).toContain('versions[0].terms[0].duration: "3 mnths" is not a duration like "3 months"');
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('validate exits 0 on a shipped pack', () => {
    const r = run('validate', path.join(REPO, 'packs/itema.yaml'));
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/valid pack "itema"/);
  });

  const examples = readdirSync(path.join(REPO, 'examples/cases')).filter((f) => f.endsWith('.json'));
  it.each(examples)('decide exits 0 with valid JSON on examples/cases/%s', (f) => {
    const file = path.join(REPO, 'examples/cases', f);
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { pack?: string };
    // The pack is the case's own, else the one its file name starts with.
    const pack = doc.pack ?? [...SHIPPED_PACKS].sort((a, b) => b.length - a.length).find((p) => f.startsWith(`${p}-`));
    expect(pack, `no pack for ${f}`).toBeDefined();
    const r = run('decide', '--pack', pack!, '--input', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { pack: string; reasons: { rule: string }[] };
    expect(out.pack).toBe(pack);
    expect(out.reasons.length).toBeGreaterThan(0);
  });

  it('decide exits 1 and names the field of a bad case', () => {
    const file = path.join(dir, 'bad-case.json');
    writeFileSync(file, JSON.stringify({ moment: '2026-02-30', device: { category: 'laptop', term: '-3 months' }, events: [] }));
    const r = run('decide', '--pack', 'itema', '--input', file);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('moment: "2026-02-30" is not a calendar date');
    expect(r.stderr).toContain('device.term: "-3 months" is not a duration');
  });
});
