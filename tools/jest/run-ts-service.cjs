// Runs one service from its TypeScript sources in a process of its own, without a build:
//   node tools/jest/run-ts-service.cjs apps/router/src/main.ts
// The same swc transform as jest (jest.config.js), as a require hook, and the @ai-gateway/* path
// aliases of tsconfig.base.json. Integration suites that must kill -9 a real process (the chaos
// suite) start services this way: `npm test` builds nothing, and a build into dist/ would race
// with the suites that build it themselves.
'use strict';
const Module = require('node:module');
const { readFileSync } = require('node:fs');
const { join, resolve } = require('node:path');
const { transformSync } = require('@swc/core');

const root = resolve(__dirname, '../..');
const { compilerOptions } = JSON.parse(readFileSync(join(root, 'tsconfig.base.json'), 'utf8'));
const aliases = new Map(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [alias, join(root, target)]));

const resolveFilename = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return resolveFilename.call(this, aliases.get(request) ?? request, ...rest);
};

const swcOptions = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
    keepClassNames: true,
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};
Module._extensions['.ts'] = function (module, filename) {
  const { code } = transformSync(readFileSync(filename, 'utf8'), { ...swcOptions, filename });
  module._compile(code, filename);
};

const entry = process.argv[2];
if (!entry) {
  console.error('usage: node tools/jest/run-ts-service.cjs <apps/<app>/src/main.ts>');
  process.exit(64);
}
require(resolve(root, entry));
