import { accessSync, constants } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';

const BINARY = 'local-kms';
/** This folder is libs/testing/src/local-kms; the repo root is four levels up. */
const REPO_ROOT = resolve(__dirname, '..', '..', '..', '..');
export const TOOLS_BIN = join(REPO_ROOT, '.tools', 'bin');

/** PATH first, then the repo's .tools/bin (built by `npm run tools`). */
export function findLocalKms(): string {
  const candidates = [...(process.env['PATH'] ?? '').split(delimiter).filter(Boolean), TOOLS_BIN].map((dir) =>
    join(dir, BINARY),
  );
  const found = candidates.find(isExecutable);
  if (!found) throw new Error(`${BINARY} not found on PATH or in ${TOOLS_BIN}; run \`npm run tools\``);
  return found;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
