// ESLint (flat config): typescript-eslint's recommended rules, without type information (fast: the
// whole repository in seconds), and the project's boundaries. No formatting or style rules: the code
// is not reformatted by the linter. `npm run lint`; docs/ARCHITECTURE.md ("Boundaries, checked by
// the linter") lists the boundaries, and test/lint-boundaries.test.ts proves each one fires.
import path from 'node:path';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import ts from 'typescript';
import tseslint from 'typescript-eslint';

const root = import.meta.dirname;
/** A path relative to the repository, with forward slashes. */
const rel = (p) => path.relative(root, p).split(path.sep).join('/');
const noExt = (p) => p.replace(/\.(d\.)?[cm]?[jt]sx?$/, '');

/** A feature's public face: what other features may import from it. */
const PUBLIC_FACE = /\.(service|repository|contract|errors)$/; // functions, queries, the zod schemas it shares, its error codes

/**
 * Other files of one feature that other features may import: shared pieces that are imported across
 * features today. Keep this list short; a new entry is a decision to review.
 */
const FEATURE_SHARED = new Map([
  ['src/modules/service-orders/state-machine', "the order states and transitions (the web app reads them too)"],
  ['src/modules/documents/documents.i18n', 'document languages and date/money formatting, shared with notifications'],
]);

/** What web/tsconfig.json includes from outside web/ (the web app may import only these). */
const WEB_SHARED = (() => {
  const file = path.join(root, 'web', 'tsconfig.json');
  const { config, error } = ts.readConfigFile(file, ts.sys.readFile);
  if (error) throw new Error(`eslint.config.js: cannot read web/tsconfig.json: ${ts.flattenDiagnosticMessageText(error.messageText, '\n')}`);
  return (config.include ?? []).map((p) => rel(path.resolve(root, 'web', p))).filter((p) => !p.startsWith('web/')).map(noExt);
})();

const featureOf = (p) => /^src\/modules\/([^/]+)\//.exec(p)?.[1];
const isTestFile = (p) => /\.test\.[cm]?[jt]sx?$/.test(p);
const isBuiltin = (spec) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]);

/** The boundary a `from` file crosses by importing `spec`, or undefined. */
function crossing(from, spec) {
  const inWeb = from.startsWith('web/src/');
  if (inWeb && isBuiltin(spec)) return { messageId: 'webNode', data: { target: spec } };
  if (!spec.startsWith('.')) return undefined; // an npm package or a Node built-in
  const to = rel(path.resolve(root, path.dirname(from), spec));
  const toBase = noExt(to);
  const data = { target: to };
  if (isTestFile(to)) return { messageId: 'testFile', data };
  if (inWeb) {
    if (to.startsWith('web/src/') || WEB_SHARED.includes(toBase)) return undefined;
    return { messageId: 'webServer', data: { ...data, allowed: WEB_SHARED.join('.ts, ') + '.ts' } };
  }
  if (from.startsWith('src/policy/') && !to.startsWith('src/policy/')) return { messageId: 'policyOutward', data };
  const test = isTestFile(from);
  if (from.startsWith('src/') && !test && from !== 'src/server/app.ts' && toBase.endsWith('.routes')) return { messageId: 'routes', data };
  // The core belongs to no feature and to no server: it imports neither.
  if (from.startsWith('src/core/') && !test && (to.startsWith('src/modules/') || to.startsWith('src/server/'))) return { messageId: 'coreOutward', data };
  // A feature depends on the core and the HTTP plumbing, never on the server that mounts it.
  if (from.startsWith('src/modules/') && !test && toBase === 'src/server/app') return { messageId: 'serverApp', data };
  const a = featureOf(from);
  const b = featureOf(to);
  if (a && b && a !== b && !test && !PUBLIC_FACE.test(toBase) && !FEATURE_SHARED.has(toBase)) {
    return { messageId: 'featureInternals', data: { ...data, feature: b } };
  }
  return undefined;
}

/** One rule for every import boundary: it resolves each relative import against the importing file. */
const boundaries = {
  meta: {
    type: 'problem',
    docs: { description: "The project's import boundaries (docs/ARCHITECTURE.md)" },
    schema: [],
    messages: {
      policyOutward:
        "src/policy is the pure policy engine: it imports only src/policy files and packages, not '{{target}}'. Let the caller (a service) read the database, config or clock and pass the values in as arguments.",
      routes:
        "'{{target}}' is a routes file: routes are wired only in src/server/app.ts. Import the feature's *.service.ts instead; a zod schema two features share goes in the owning feature's *.contract.ts.",
      featureInternals:
        "'{{target}}' is internal to the '{{feature}}' feature. From another feature import only its public face, *.service.ts, *.repository.ts, *.contract.ts or *.errors.ts (or a shared file listed in FEATURE_SHARED in eslint.config.js): export what you need from its service.",
      coreOutward: "src/core is shared by every feature and belongs to none: it imports no feature and no server code, not '{{target}}'. Move what both need into src/core, or pass it in as an argument.",
      serverApp: "A feature never imports the server that mounts it ('{{target}}'): take AppDeps from src/core/deps.ts.",
      testFile: "'{{target}}' is a test file, and nothing imports a test. Move the shared helper into test/ (as test/db.ts) or into the code under test.",
      webServer:
        "The web app talks to the server only over HTTP (web/src/lib/api.ts): from outside web/src it may import only what web/tsconfig.json includes ({{allowed}}), not '{{target}}'. Declare the type in web/src or get the value from the API.",
      webNode: "'{{target}}' is a Node built-in, and the web app runs in the browser. Use a Web API (fetch, URL, crypto, TextEncoder) or a browser package.",
    },
  },
  create(context) {
    const from = rel(context.filename);
    const check = (node) => {
      if (node?.type !== 'Literal' || typeof node.value !== 'string') return; // only literal specifiers can be checked
      const hit = crossing(from, node.value);
      if (hit) context.report({ node, ...hit });
    };
    return {
      ImportDeclaration: (n) => check(n.source),
      ExportNamedDeclaration: (n) => check(n.source),
      ExportAllDeclaration: (n) => check(n.source),
      ImportExpression: (n) => check(n.source),
      TSImportType: (n) => check(n.argument?.literal), // type X = import('../db/index.ts').Db
      TSExternalModuleReference: (n) => check(n.expression), // import x = require('...')
      'CallExpression[callee.name="require"]': (n) => check(n.arguments[0]),
    };
  },
};

const APP_ERROR_MESSAGE =
  "Throw problems typed: `throw problem(Table, 'code', detail, extra)` (or notFound, badField, versionConflict) from src/core/errors.ts, with the code declared in the feature's *.errors.ts (docs/errors.md); `new AppError` is for src/core/errors.ts only.";

const ENV_MESSAGE =
  'Environment variables are read only in src/config.ts (validated with zod at start-up): add the setting to its schema and take the value from the Config (deps.config). Tests, benches, scripts and bin/ may read them.';

export default defineConfig(
  globalIgnores(['web/dist/', 'data/', 'coverage/', 'dist/', 'scratch/']),
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    name: 'aftercare/base',
    languageOptions: { ecmaVersion: 'latest', sourceType: 'module', globals: { ...globals.node } },
    plugins: { aftercare: { rules: { boundaries } } },
    // Every recommended rule stays on (they found real leftovers: unused imports and variables, a
    // useless escape, `any`). The one relaxed rule:
    rules: {
      'aftercare/boundaries': 'error',
      // Unused names stay errors, except the deliberate ones: `const { secret: _s, ...row } = x` is
      // how the code drops fields from an object, and a leading `_` marks a parameter kept for its
      // position.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: ENV_MESSAGE }],
      'no-restricted-syntax': [
        'error',
        { selector: "ImportDeclaration[source.value=/^(node:)?process$/] > ImportSpecifier[imported.name='env']", message: ENV_MESSAGE },
        { selector: "MemberExpression[property.name='env'] > MemberExpression.object[property.name='process']", message: ENV_MESSAGE },
        { selector: "NewExpression[callee.name='AppError']", message: APP_ERROR_MESSAGE },
      ],
    },
  },
  {
    name: 'aftercare/web',
    files: ['web/src/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Where reading the environment is legitimate: the one config module; tests and the test setup
    // (a child process inherits the parent's environment, a test names the browser or a folder);
    // benchmark knobs (BENCH_*); scripts and the launchers in bin/, which run outside the server;
    // the build and tool configs.
    name: 'aftercare/environment-allowed',
    files: ['src/config.ts', 'test/**', '**/*.test.ts', 'bench/**', 'scripts/**', 'bin/**', 'web/build.mjs', 'web/vite.config.ts', '*.config.{js,ts,mjs}'],
    rules: { 'no-restricted-properties': 'off', 'no-restricted-syntax': 'off' },
  },
);
