// `npm run proto`: generates libs/proto from proto/ with ts-proto through the pinned buf.
// `npm run proto:check`: fails when the committed generated code differs from the protos.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const buf = join(root, 'node_modules/.bin/buf');
const generated = join(root, 'libs/proto/src/generated');
const check = process.argv.includes('--check');

execFileSync(buf, ['lint'], { cwd: join(root, 'proto'), stdio: 'inherit' });

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

if (!check) {
  rmSync(generated, { recursive: true, force: true });
  execFileSync(buf, ['generate'], { cwd: join(root, 'proto'), stdio: 'inherit' });
  console.log(`proto: generated ${files(generated).length} files into ${relative(root, generated)}`);
} else {
  const fresh = mkdtempSync(join(tmpdir(), 'proto-check-'));
  const template = readFileSync(join(root, 'proto/buf.gen.yaml'), 'utf8').replace(
    /out: .*/,
    `out: ${fresh}`,
  );
  execFileSync(buf, ['generate', '--template', template], { cwd: join(root, 'proto'), stdio: 'inherit' });
  const freshFiles = files(fresh).map((f) => relative(fresh, f)).sort();
  const committed = files(generated).map((f) => relative(generated, f)).sort();
  const stale = freshFiles.filter((f) => !committed.includes(f) || readFileSync(join(fresh, f), 'utf8') !== readFileSync(join(generated, f), 'utf8'));
  const extra = committed.filter((f) => !freshFiles.includes(f));
  rmSync(fresh, { recursive: true, force: true });
  if (stale.length || extra.length) {
    console.error(`proto: generated code is stale (${[...stale, ...extra].join(', ')}); run npm run proto`);
    process.exit(1);
  }
  console.log('proto: generated code is up to date');
}
