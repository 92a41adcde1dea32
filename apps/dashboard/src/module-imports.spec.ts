// The browser loads the emitted modules as they are (no bundler): every relative import must
// name the emitted file, `./x.js`, or the page fails to load in the browser while tsc is happy.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('dashboard module imports', () => {
  const files = readdirSync(__dirname).filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'));

  it.each(files)('%s imports relative modules with a .js extension', (file) => {
    const source = readFileSync(join(__dirname, file), 'utf8');
    const specifiers = [...source.matchAll(/\bfrom\s+'([^']+)'|\bimport\s*\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] ?? m[2]);
    for (const specifier of specifiers) {
      expect(specifier).toMatch(/^\.\.?\/.+\.js$/);
    }
  });
});
