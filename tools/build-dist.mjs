// `npm run build:dist`: `npm run build`, then one self-contained tree per app for deploy/Dockerfile:
//   dist-image/<app>/apps/<app>/src/main.js      the app (started as `node apps/<app>/src/main.js`)
//   dist-image/<app>/libs/...                    every compiled lib
//   dist-image/<app>/node_modules/@ai-gateway/*  the alias shims (merged into the image's node_modules)
//   dist-image/<app>/proto/                      .proto files, loaded at run time (found from libs/proto/src)
//   dist-image/<app>/package.json                the root package's production dependencies only
//   dist-image/ingress/apps/dashboard/public/    the dashboard's static files (ingress serves them at /dashboard/)
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
const BROWSER_APPS = { dashboard: { servedBy: 'ingress', dir: 'apps/dashboard/public' } };
const apps = readdirSync(join(root, 'apps')).filter((app) => !(app in BROWSER_APPS) && existsSync(join(root, 'apps', app, 'project.json')));
const missing = [];
const noMaps = (src) => !src.endsWith('.map') && !src.endsWith('.tsbuildinfo');

rmSync(out, { recursive: true, force: true });
for (const app of apps) {
  if (!existsSync(join(dist, 'apps', app, 'src/main.js'))) {
    missing.push(app);
    continue;
  }
  const target = join(out, app);
  mkdirSync(target, { recursive: true });
  cpSync(join(dist, 'apps', app), join(target, 'apps', app), { recursive: true, filter: noMaps });
  cpSync(join(dist, 'libs'), join(target, 'libs'), { recursive: true, filter: noMaps });
  cpSync(join(dist, 'node_modules/@ai-gateway'), join(target, 'node_modules/@ai-gateway'), { recursive: true });
  cpSync(join(root, 'proto'), join(target, 'proto'), { recursive: true });
  for (const [browserApp, { servedBy, dir }] of Object.entries(BROWSER_APPS)) {
    if (servedBy !== app) continue;
    if (!existsSync(join(dist, dir, 'index.html'))) {
      missing.push(browserApp);
      continue;
    }
    cpSync(join(dist, dir), join(target, dir), { recursive: true, filter: noMaps });
  }
  const manifest = {
    name: `${pkg.name}-${app}`,
    version: pkg.version,
    private: true,
    license: pkg.license,
    engines: pkg.engines,
    main: `apps/${app}/src/main.js`,
    dependencies: pkg.dependencies,
  };
  writeFileSync(join(target, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

const made = apps.filter((app) => !missing.includes(app) && existsSync(join(out, app)));
console.log(`build:dist: ${made.length} apps in dist-image/ (${made.join(', ')}) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
if (missing.length) {
  console.error(`build:dist: FAILED — no build output for ${missing.join(', ')} (apps/<app>/src/main.ts missing? dist/apps/dashboard/public not built?)`);
  process.exit(1);
}
