#!/usr/bin/env node
// Builds the web app into web/dist when it is missing or older than its sources. Run by the root
// `prepare` script (so `npm ci` builds it) and before `npm start` (so a changed checkout rebuilds).
// `--force` always builds.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(dir, 'dist', 'index.html');
const sources = [path.join(dir, 'src'), path.join(dir, 'index.html'), path.join(dir, 'vite.config.ts'), path.join(dir, '..', 'src', 'modules', 'service-orders', 'state-machine.ts')];

function newest(p) {
  let st;
  try {
    st = fs.statSync(p);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

export function isStale() {
  const built = fs.existsSync(dist) ? fs.statSync(dist).mtimeMs : 0;
  return built === 0 || Math.max(...sources.map(newest)) > built;
}

export async function buildWeb({ force = false, quiet = false } = {}) {
  if (!force && !isStale()) return false;
  const { build } = await import('vite');
  const t0 = Date.now();
  await build({ configFile: path.join(dir, 'vite.config.ts'), logLevel: quiet ? 'warn' : 'info' });
  if (!quiet) console.log(`web app built in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return true;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const force = process.argv.includes('--force');
  buildWeb({ force, quiet: process.argv.includes('--quiet') }).catch((e) => {
    console.error(`The web app did not build: ${e?.message ?? e}`);
    process.exit(1);
  });
}
