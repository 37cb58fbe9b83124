// `npm run lint:openapi`: generates the OpenAPI document the server serves (no database needed),
// writes it to a temporary file and lints it with Redocly CLI's recommended rules (redocly.yaml at
// the repository root). Prints Redocly's report; exits non-zero on any error.
// Options: --out FILE also keeps the document there; other arguments go to `redocly lint`
// (e.g. --format stylish).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateOpenApiDocument } from '../src/server/openapi.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
const out = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;

const doc = await generateOpenApiDocument();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aftercare-openapi-'));
const file = path.join(dir, 'openapi.json');
fs.writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
if (out) fs.copyFileSync(file, path.resolve(out));

const cli = path.join(root, 'node_modules/@redocly/cli/bin/cli.js');
const res = spawnSync(process.execPath, [cli, 'lint', file, '--config', path.join(root, 'redocly.yaml'), ...args], {
  cwd: root,
  stdio: 'inherit',
  // No usage data sent, no look-up of a newer release on the npm registry.
  env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
});
fs.rmSync(dir, { recursive: true, force: true });
if (res.error) {
  console.error(`openapi-lint: could not run Redocly CLI (${cli}): ${res.error.message}`);
  process.exit(2);
}
process.exit(res.status ?? 1);
