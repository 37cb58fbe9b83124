// The boundaries in eslint.config.js fire where they should and stay quiet where imports are allowed:
// each case lints a few lines of code as if they were the named file (the file need not exist).
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, test } from 'vitest';

const B = 'aftercare/boundaries';
const root = path.resolve(import.meta.dirname, '..');
const eslint = new ESLint({ cwd: root });

/** The problems the config finds in `code` as the file `file`: the rule, and which boundary for ours. */
async function lint(file: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.map((m) => (m.ruleId === B ? `${B}/${m.messageId}` : `${m.ruleId}`));
}


describe('src/policy imports only src/policy and packages', () => {
  test.each([
    ["import '../db/index.ts';", [`${B}/policyOutward`]],
    ["export { loadConfig } from '../config.ts';", [`${B}/policyOutward`]],
    ["export type Db = import('../db/index.ts').Db;", [`${B}/policyOutward`]],
    ["export const load = () => import('../server/http.ts');", [`${B}/policyOutward`]],
    ["import './dates.ts';\nimport 'luxon';\nimport 'node:fs';", []],
  ])('%s', async (code, expected) => {
    expect(await lint('src/policy/example.ts', code)).toEqual(expected);
  });
});

describe('routes are wired only in src/server/app.ts', () => {
  test.each([
    ['src/modules/order-page/example.ts', "import '../proofs/proofs.routes.ts';", [`${B}/routes`]],
    ['src/jobs/example.ts', "import '../modules/proofs/proofs.routes.ts';", [`${B}/routes`]],
    ['src/server/app.ts', "import '../modules/proofs/proofs.routes.ts';", []],
    ['src/modules/order-page/order-page.test.ts', "import '../proofs/proofs.routes.ts';", []],
  ])('%s: %s', async (file, code, expected) => {
    expect(await lint(file, code)).toEqual(expected);
  });
});

describe('the core imports no feature and no server; a feature never imports the server app', () => {
  test.each([
    ['src/core/example.ts', "import '../modules/service-orders/service-orders.service.ts';", [`${B}/coreOutward`]],
    ['src/core/example.ts', "import '../server/auth.ts';", [`${B}/coreOutward`]],
    ['src/core/example.ts', "import './clocks.ts';\nimport '../db/index.ts';\nimport '../policy/index.ts';", []],
    ['src/modules/customers/example.ts', "export type { AppDeps } from '../../server/app.ts';", [`${B}/serverApp`]],
    ['src/modules/customers/example.ts', "export type { AppDeps } from '../../core/deps.ts';\nimport '../../server/auth.ts';", []],
  ])('%s: %s', async (file, code, expected) => {
    expect(await lint(file, code)).toEqual(expected);
  });
});

describe("a feature uses only another feature's service and repository", () => {
  test.each([
    ["import '../notifications/delivery-worker.ts';", [`${B}/featureInternals`]],
    ["import '../notifications/notifications.repository.ts';", []],
    ["import '../warranty/warranty.service.ts';", []],
    ["import '../proofs/proofs.contract.ts';", []],
    ["import '../warranty/warranty.errors.ts';", []], // a feature's error codes are part of its face
    ["import '../service-orders/state-machine.ts';", []], // listed in FEATURE_SHARED
    ["import './documents.i18n.ts';\nimport '../../server/http.ts';\nimport '../../db/index.ts';", []],
  ])('%s', async (code, expected) => {
    expect(await lint('src/modules/documents/example.ts', code)).toEqual(expected);
  });

  test("a test may import any feature's code, but no test file", async () => {
    expect(await lint('src/modules/documents/example.test.ts', "import '../notifications/delivery-worker.ts';")).toEqual([]);
    expect(await lint('test/example.ts', "import '../src/modules/auth/auth.test.ts';")).toEqual([`${B}/testFile`]);
  });
});

describe('problems are thrown typed, with a code from a table', () => {
  test.each([
    ["import { AppError } from '../../core/errors.ts';\nexport const e = new AppError(409, 'serial-taken', 'x');", ['no-restricted-syntax']],
    ["import { problem } from '../../core/errors.ts';\nimport { DeviceErrors } from './devices.errors.ts';\nexport const e = problem(DeviceErrors, 'serial-taken', 'x');", []],
  ])('%s', async (code, expected) => {
    expect(await lint('src/modules/devices/example.ts', code)).toEqual(expected);
  });
});

describe('the environment is read only in src/config.ts', () => {
  const reads: [string, string][] = [
    ['export const a = process.env.A;', 'no-restricted-properties'],
    ['const { env } = process;\nexport const b = env.B;', 'no-restricted-properties'],
    ["import { env } from 'node:process';\nexport const c = env.C;", 'no-restricted-syntax'],
    ['export const d = globalThis.process.env.D;', 'no-restricted-syntax'],
  ];
  test.each(reads)('refused in src/: %s', async (code, rule) => {
    expect(await lint('src/modules/devices/example.ts', code)).toEqual([rule]);
  });
  test.each(['src/config.ts', 'test/example.ts', 'src/modules/notifications/example.test.ts', 'bench/example.ts', 'scripts/example.ts', 'bin/example.mjs', 'web/build.mjs'])(
    'allowed in %s',
    async (file) => {
      expect(await lint(file, reads[0][0])).toEqual([]);
    },
  );
  test('refused in the web app', async () => {
    expect(await lint('web/src/lib/example.ts', reads[0][0])).toEqual(['no-restricted-properties']);
  });
});

describe('the web app imports no server code and no Node built-ins', () => {
  test.each([
    ["import '../../../src/db/index.ts';", [`${B}/webServer`]],
    ["import '../../../src/modules/service-orders/service-orders.service.ts';", [`${B}/webServer`]],
    ["import '../../../src/modules/service-orders/state-machine';", []], // what web/tsconfig.json includes
    ["import 'node:fs';", [`${B}/webNode`]],
    ["import 'path';", [`${B}/webNode`]],
    ["import '../lib/api';\nimport '../../src/lib/i18n';\nimport 'react';", []], // ../../src/lib is web/src/lib
  ])('%s', async (code, expected) => {
    expect(await lint('web/src/console/Example.tsx', code)).toEqual(expected);
  });
});
