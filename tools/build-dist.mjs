// `npm run build:dist`: `npm run build`, then the one tree deploy/Dockerfile copies to /app, every
// service in it (the image runs one, chosen by APP or the entrypoint's argument):
//   dist-image/entrypoint.mjs                   the image's entrypoint (tools/image/entrypoint.mjs)
//   dist-image/apps/<app>/src/main.js           each service
//   dist-image/apps/dashboard/public/           the dashboard's static files (ingress serves them at /dashboard/)
//   dist-image/libs/...                         every compiled lib
//   dist-image/node_modules/@ai-gateway/*       the alias shims (merged into the image's node_modules)
//   dist-image/proto/                           .proto files, loaded at run time (found from libs/proto/src)
//   dist-image/package.json                     the root package's production dependencies only
// node_modules are not installed here: the Dockerfile runs `npm ci --omit=dev` from the lockfile.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'dist');
const out = join(root, 'dist-image');
const started = Date.now();

const build = spawnSync(process.execPath, [join(root, 'tools/build.mjs')], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
/** Browser apps ship as static files inside another app's tree, not as an image of their own. */
const BROWSER_APPS = { dashboard: { dir: 'apps/dashboard/public' } };
const apps = readdirSync(join(root, 'apps')).filter((app) => !(app in BROWSER_APPS) && existsSync(join(root, 'apps', app, 'project.json')));
const missing = [];
const noMaps = (src) => !src.endsWith('.map') && !src.endsWith('.tsbuildinfo');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
for (const app of apps) {
  if (!existsSync(join(dist, 'apps', app, 'src/main.js'))) {
    missing.push(app);
    continue;
  }
  cpSync(join(dist, 'apps', app), join(out, 'apps', app), { recursive: true, filter: noMaps });
}
for (const [browserApp, { dir }] of Object.entries(BROWSER_APPS)) {
  if (!existsSync(join(dist, dir, 'index.html'))) {
    missing.push(browserApp);
    continue;
  }
  cpSync(join(dist, dir), join(out, dir), { recursive: true, filter: noMaps });
}
cpSync(join(dist, 'libs'), join(out, 'libs'), { recursive: true, filter: noMaps });
cpSync(join(dist, 'node_modules/@ai-gateway'), join(out, 'node_modules/@ai-gateway'), { recursive: true });
cpSync(join(root, 'proto'), join(out, 'proto'), { recursive: true });
cpSync(join(root, 'tools/image/entrypoint.mjs'), join(out, 'entrypoint.mjs'));
const manifest = {
  name: pkg.name,
  version: pkg.version,
  private: true,
  license: pkg.license,
  engines: pkg.engines,
  type: 'commonjs',
  dependencies: pkg.dependencies,
};
writeFileSync(join(out, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);

const made = apps.filter((app) => !missing.includes(app) && existsSync(join(out, 'apps', app, 'src/main.js')));
console.log(`build:dist: ${made.length} apps in dist-image/ (${made.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (missing.length) {
  console.error(`build:dist: FAILED — no build output for ${missing.join(', ')} (apps/<app>/src/main.ts missing? dist/apps/dashboard/public not built?)`);
  process.exit(1);
}
