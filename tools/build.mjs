// `npm run build`: compiles apps and libs with tsc (tsconfig.build.json → dist/), then writes
// dist/node_modules/@ai-gateway/<name>/ shims so the compiled apps resolve the path aliases of
// tsconfig.base.json with plain `require`, no loader: `node dist/apps/<app>/src/main.js`.
// Then the dashboard (browser code, its own tsconfig): apps/dashboard/src → dist/apps/dashboard/public/
// (ES modules) plus a copy of apps/dashboard/public/*; ingress serves that directory at /dashboard/.
// `--dashboard-only` builds the dashboard alone; `--dashboard-only --out <dir>` builds it into <dir>
// instead (tests, so suites running side by side never see a half-written dist/).
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const buildInfo = join(dist, '.tsbuildinfo');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();
/** Apps built by their own tsconfig for the browser, not as Node services. */
const BROWSER_APPS = ['dashboard'];

function buildDashboard(out = join(dist, 'apps/dashboard/public')) {
  // Emptied first (files of deleted modules must not linger), but only when it is an earlier build.
  if (existsSync(out) && readdirSync(out).length > 0 && !existsSync(join(out, 'index.html'))) {
    console.error(`build: FAILED — ${out} is not empty and holds no earlier dashboard build; not deleting it`);
    process.exit(1);
  }
  rmSync(out, { recursive: true, force: true });
  const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'apps/dashboard/tsconfig.json'), '--pretty', '--outDir', out], {
    cwd: root,
    stdio: 'inherit',
  });
  if (compiled.status !== 0) {
    console.error(`build: FAILED — tsc reported errors in apps/dashboard (exit ${compiled.status ?? compiled.signal}), see above`);
    process.exit(1);
  }
  cpSync(join(root, 'apps/dashboard/public'), out, { recursive: true });
  return readdirSync(out).length;
}

if (process.argv.includes('--dashboard-only')) {
  const outIndex = process.argv.indexOf('--out');
  const out = outIndex === -1 ? join(dist, 'apps/dashboard/public') : resolve(process.argv[outIndex + 1] ?? '');
  if (outIndex !== -1 && !process.argv[outIndex + 1]) {
    console.error('build: --out needs a directory');
    process.exit(1);
  }
  const files = buildDashboard(out);
  console.log(`build: dashboard (${files} files in ${relative(root, out) || out}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  process.exit(0);
}

// tsc --incremental trusts its .tsbuildinfo even when outputs were deleted: rebuild from scratch then.
const apps = readdirSync(join(root, 'apps')).filter((app) => !BROWSER_APPS.includes(app) && existsSync(join(root, 'apps', app, 'src/main.ts')));
if (existsSync(buildInfo) && apps.some((app) => !existsSync(join(dist, 'apps', app, 'src/main.js')))) {
  rmSync(buildInfo);
}

const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--pretty'], {
  cwd: root,
  stdio: 'inherit',
});
if (result.status !== 0) {
  console.error(`build: FAILED — tsc reported errors (exit ${result.status ?? result.signal}), see above`);
  process.exit(1);
}

const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const shimRoot = join(dist, 'node_modules/@ai-gateway');
rmSync(shimRoot, { recursive: true, force: true });
let shims = 0;
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  const compiled = join(dist, target.replace(/\.ts$/, '.js'));
  if (!existsSync(compiled)) continue; // not part of the build (libs/testing)
  const name = alias.replace(/^@ai-gateway\//, '');
  const dir = join(shimRoot, name);
  mkdirSync(dir, { recursive: true });
  const request = relative(dir, compiled).split('\\').join('/');
  writeFileSync(join(dir, 'index.js'), `module.exports = require('${request}');\n`);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: alias, main: 'index.js' }, null, 2)}\n`);
  shims++;
}

const dashboardFiles = buildDashboard();

const built = apps.filter((app) => existsSync(join(dist, 'apps', app, 'src/main.js')));
console.log(
  `build: ${built.length} apps (${built.join(', ')}), ${shims} lib shims, dashboard (${dashboardFiles} files) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
