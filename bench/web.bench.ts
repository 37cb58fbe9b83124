// The first page's production JavaScript, gzipped, against the 300 KB budget of issue 6: the entry
// script of web/dist/index.html plus every chunk it imports statically, and the console chunk (the
// first page of staff; the portal's chunk is smaller and printed too), and the style sheets the first
// page loads: those index.html links and the ones of the console's or portal's chunk (issue 15: the
// figure used to leave CSS out).
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { buildWeb } from '../web/build.mjs';

const BUDGET = 300 * 1024;
const dist = path.resolve(import.meta.dirname, '../web/dist');

function closure(file: string, seen = new Set<string>()) {
  if (seen.has(file)) return seen;
  seen.add(file);
  const src = fs.readFileSync(path.join(dist, 'assets', file), 'utf8');
  // Static imports only (`import ... from "./x.js"` or `import "./x.js"`); dynamic import() chunks load later.
  for (const m of src.matchAll(/(?:^|[;\n}])\s*import\s*(?:[^'"()]*?from\s*)?["']\.\/([^"']+\.js)["']/g)) closure(m[1], seen);
  return seen;
}

const gz = (files: Set<string>) => [...files].reduce((n, f) => n + gzipSync(fs.readFileSync(path.join(dist, 'assets', f)), { level: 9 }).length, 0);
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

export async function run() {
  await buildWeb({ quiet: true });
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const entry = /src="\/assets\/([^"]+\.js)"/.exec(html)![1];
  const base = closure(entry);
  const chunk = (name: string) => fs.readdirSync(path.join(dist, 'assets')).find((f) => f.startsWith(`${name}-`) && f.endsWith('.js'))!;
  const consoleFiles = closure(chunk('Console'), new Set(base));
  const portalFiles = closure(chunk('Portal'), new Set(base));
  // Style sheets: linked from index.html, and a lazy chunk's own (Vite names it after the chunk).
  const css = (name?: string) =>
    new Set([
      ...[...html.matchAll(/href="\/assets\/([^"]+\.css)"/g)].map((m) => m[1]),
      ...(name ? fs.readdirSync(path.join(dist, 'assets')).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.css')) : []),
    ]);
  const consoleCss = css('Console');
  const portalCss = css('Portal');
  for (const f of consoleCss) consoleFiles.add(f);
  for (const f of portalCss) portalFiles.add(f);
  const first = gz(consoleFiles);
  console.log(`web: entry ${kb(gz(base))} gzipped (${base.size} files)`);
  console.log(`web: staff console first page ${kb(first)} gzipped (${consoleFiles.size} files, ${consoleCss.size} of them CSS: ${kb(gz(consoleCss))}) — budget ${kb(BUDGET)}: ${first <= BUDGET ? 'within' : 'OVER'} (${((first / BUDGET) * 100).toFixed(0)} %)`);
  console.log(`web: client portal first page ${kb(gz(portalFiles))} gzipped (${portalFiles.size} files, CSS ${kb(gz(portalCss))})`);
  if (first > BUDGET) process.exitCode = 1;
}
