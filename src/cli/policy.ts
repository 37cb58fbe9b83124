// `aftercare policy validate|decide`: the policy engine from the command line.
import { readFileSync } from 'node:fs';
import { PolicyInputError, computeCoverage, decide, loadPackFile, parseCase, pick, resolvePack, type Lang } from '../policy/index.ts';

function printProblems(title: string, e: unknown): number {
  if (e instanceof PolicyInputError) {
    console.error(title);
    for (const i of e.issues) console.error(`  ${i.path ? `${i.path}: ` : ''}${i.message}`);
    return 1;
  }
  throw e;
}

export async function validateCommand(file: string): Promise<number> {
  try {
    const pack = loadPackFile(file);
    const v = pack.versions[pack.versions.length - 1];
    console.log(`${file}: valid pack "${pack.id}", ${pack.versions.length} version(s), latest ${v.version} effective ${v.raw.effective}, ${Object.keys(v.raw.rules).length} rules`);
    return 0;
  } catch (e) {
    return printProblems(`${file}: invalid policy pack`, e);
  }
}

export async function decideCommand(opts: { pack: string; input: string; lang?: string }): Promise<number> {
  try {
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(opts.input, 'utf8'));
    } catch (e) {
      const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new PolicyInputError([{ path: 'input', message: `cannot read ${opts.input} as JSON: ${why}` }]);
    }
    const c = parseCase(doc);
    const pack = resolvePack(opts.pack);
    const lang = (opts.lang ?? c.lang) as Lang | undefined;
    if (lang && !['en', 'bg', 'vi'].includes(lang)) throw new PolicyInputError([{ path: 'lang', message: `"${lang}" is not one of en, bg, vi` }]);
    const out = c.claim ? decide(c.claim, { device: c.device, events: c.events }, pack, c.moment) : computeCoverage(c.device, c.events, pack, c.moment);
    // With --lang, every text object collapses to that language's string.
    const json = JSON.stringify(out, lang ? (_k, val) => (val && typeof val === 'object' && 'en' in val && typeof val.en === 'string' && Object.keys(val).every((k) => ['en', 'bg', 'vi'].includes(k)) ? pick(val, lang) : val) : undefined, 2);
    console.log(json);
    return 0;
  } catch (e) {
    return printProblems('cannot decide this case', e);
  }
}
