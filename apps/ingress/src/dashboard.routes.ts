import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { httpError } from './openai-http-error';
import { sendError } from './http-reply';

/** The dashboard's static files, read once at start: only these are ever served. */
export interface DashboardBundle {
  /** The directory the files came from; undefined when no build was found. */
  dir: string | undefined;
  files: ReadonlyMap<string, { body: Buffer; contentType: string }>;
  /** Why there is nothing to serve (no build found), for the 503 answer and the start log. */
  problem?: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

const MAX_FILES = 200;
const MAX_FILE_BYTES = 5 * 1024 * 1024;

/**
 * Where a dashboard build may be, in order: the repository's dist/ seen from the sources
 * (apps/ingress/src under jest), then the sibling of the compiled ingress (dist/apps/ingress/src
 * at run time → dist/apps/dashboard/public; the image tree lays it out the same way).
 */
export function defaultDashboardDirs(here: string = __dirname): string[] {
  return [resolve(here, '../../../dist/apps/dashboard/public'), resolve(here, '../../dashboard/public')];
}

/** A directory holds a build when index.html and the compiled main.js are both there (the sources' public/ has no main.js). */
export function isDashboardBuild(dir: string): boolean {
  return existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'main.js'));
}

/** Reads the dashboard's files into memory: from `configured` (DASHBOARD_DIR) if set, else the first default with a build. */
export function loadDashboard(configured: string | undefined, candidates: string[] = defaultDashboardDirs()): DashboardBundle {
  const dir = configured ? resolve(configured) : candidates.find(isDashboardBuild);
  if (!dir) {
    return { dir: undefined, files: new Map(), problem: `The dashboard is not built: run \`npm run build\` (looked in ${candidates.join(', ')}).` };
  }
  if (!isDashboardBuild(dir)) {
    return { dir: undefined, files: new Map(), problem: `The dashboard is not built: DASHBOARD_DIR ${dir} has no index.html and main.js (run \`npm run build\`).` };
  }
  const files = new Map<string, { body: Buffer; contentType: string }>();
  const walk = (relative: string): void => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      if (entry.name.startsWith('.')) continue;
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(path);
        continue;
      }
      const contentType = CONTENT_TYPES[extname(entry.name).toLowerCase()];
      if (!entry.isFile() || !contentType || files.size >= MAX_FILES) continue;
      const full = join(dir, path);
      if (statSync(full).size > MAX_FILE_BYTES) continue;
      files.set(path, { body: readFileSync(full), contentType });
    }
  };
  walk('');
  return { dir, files };
}

/**
 * The dashboard at /dashboard/: static files from memory, with a strict CSP. The page talks to
 * the admin API only (same origin), so no other route is involved.
 */
export function registerDashboardRoutes(app: FastifyInstance, bundle: DashboardBundle): void {
  const send = (reply: FastifyReply, path: string): void => {
    if (!bundle.dir) {
      return void sendError(reply.headers(DASHBOARD_HEADERS), httpError(503, bundle.problem ?? 'The dashboard is not built.', 'dashboard_not_built'));
    }
    const file = bundle.files.get(path);
    if (!file) return void sendError(reply.headers(DASHBOARD_HEADERS), httpError(404, `The dashboard has no file ${JSON.stringify(path)}.`, 'unknown_url'));
    void reply.code(200).headers(DASHBOARD_HEADERS).header('content-type', file.contentType).send(file.body);
  };
  app.get('/dashboard', (_request, reply) => void reply.code(301).header('location', '/dashboard/').header('cache-control', 'no-cache').send());
  app.get('/dashboard/', (_request, reply) => send(reply, 'index.html'));
  app.get('/dashboard/*', (request, reply) => {
    const path = (request.params as { '*'?: string })['*'] ?? '';
    send(reply, path === '' ? 'index.html' : path);
  });
}
