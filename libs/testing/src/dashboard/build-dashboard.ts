import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../find-binary';

/**
 * Builds the dashboard (`tools/build.mjs --dashboard-only`) into a fresh temp directory and
 * returns it, for ingress's DASHBOARD_DIR: suites running side by side never share a half-written
 * dist/. The caller removes the directory.
 */
export function buildDashboardForTest(): string {
  const out = mkdtempSync(join(tmpdir(), 'dashboard-build-'));
  const result = spawnSync(process.execPath, [join(REPO_ROOT, 'tools/build.mjs'), '--dashboard-only', '--out', out], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`building the dashboard failed (${result.status ?? result.signal}):\n${result.stdout}\n${result.stderr}`);
  }
  return out;
}
