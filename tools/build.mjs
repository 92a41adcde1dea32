// `npm run build`: compiles apps and libs with tsc (tsconfig.build.json → dist/), then writes
// dist/node_modules/@ai-gateway/<name>/ shims so the compiled apps resolve the path aliases of
// tsconfig.base.json with plain `require`, no loader: `node dist/apps/<app>/src/main.js`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const buildInfo = join(dist, '.tsbuildinfo');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const started = Date.now();

// tsc --incremental trusts its .tsbuildinfo even when outputs were deleted: rebuild from scratch then.
const apps = readdirSync(join(root, 'apps')).filter((app) => existsSync(join(root, 'apps', app, 'src/main.ts')));
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

const built = apps.filter((app) => existsSync(join(dist, 'apps', app, 'src/main.js')));
console.log(
  `build: ${built.length} apps (${built.join(', ')}), ${shims} lib shims in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
