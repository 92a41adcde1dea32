// `npm run tools`: builds nats-server, local-kms and helm with `go install` at pinned
// versions into .tools/bin, skipping what is already there.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { TOOLS } from './tool-versions.mjs';
import { TOOLS_BIN } from './find-tool.mjs';

const go = spawnSync('go', ['version'], { encoding: 'utf8' });
const missing = TOOLS.filter((tool) => !existsSync(join(TOOLS_BIN, tool.name)));
if (missing.length === 0) {
  console.log(`tools: all present in ${TOOLS_BIN}`);
  process.exit(0);
}
if (go.error || go.status !== 0) {
  console.error(
    `tools: Go is needed to build ${missing.map((t) => t.name).join(', ')} (install Go 1.24+ from https://go.dev/dl, ` +
      'or put the binaries on PATH).',
  );
  process.exit(1);
}
mkdirSync(TOOLS_BIN, { recursive: true });
for (const tool of missing) {
  const target = `${tool.module}@${tool.version}`;
  console.log(`tools: go install ${target}`);
  const started = Date.now();
  const result = spawnSync('go', ['install', target], {
    stdio: 'inherit',
    env: { ...process.env, GOBIN: TOOLS_BIN, GOFLAGS: '-mod=mod' },
  });
  if (result.status !== 0) {
    console.error(`tools: building ${tool.name} failed`);
    process.exit(result.status ?? 1);
  }
  console.log(`tools: ${tool.name} built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
