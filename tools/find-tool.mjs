// Finds a tool binary: PATH first, then .tools/bin (built by `npm run tools`).
import { existsSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

export const TOOLS_BIN = resolve(import.meta.dirname, '..', '.tools', 'bin');

export function findTool(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  const local = join(TOOLS_BIN, name);
  return existsSync(local) ? local : undefined;
}
