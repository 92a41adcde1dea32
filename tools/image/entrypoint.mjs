// The image's entrypoint (/app/entrypoint.mjs): one image, every service. The service is the
// first argument, else $APP (the chart sets APP per Deployment):
//   node /app/entrypoint.mjs router        or        APP=router node /app/entrypoint.mjs
// The service's main module is loaded into this process: node stays PID 1 and receives SIGTERM.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const apps = join(import.meta.dirname, 'apps');
const services = readdirSync(apps)
  .filter((name) => existsSync(join(apps, name, 'src/main.js')))
  .sort();
const app = process.argv[2] ?? process.env.APP;
if (!app || !services.includes(app)) {
  process.stderr.write(
    `entrypoint: ${app ? `unknown service "${app}"` : 'no service given'}: pass one of ${services.join(', ')} as the argument or in APP\n`,
  );
  process.exit(64); // EX_USAGE
}
process.env.APP = app;
await import(pathToFileURL(join(apps, app, 'src/main.js')).href);
