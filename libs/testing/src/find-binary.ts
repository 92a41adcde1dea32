import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const REPO_ROOT = resolve(__dirname, '../../..');

/** A tool from PATH, else from .tools/bin (built by `npm run tools`). */
export function findBinary(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  const local = join(REPO_ROOT, '.tools', 'bin', name);
  if (existsSync(local)) return local;
  throw new Error(`${name} not found on PATH or in .tools/bin: run npm run tools`);
}
