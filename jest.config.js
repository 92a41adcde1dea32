// Jest projects: `unit` (*.spec.ts, no processes), `integration` (*.integration-spec.ts, real
// nats-server, KMS emulator, services over real gRPC) and `image` (*.image-spec.ts: the built
// container image; needs root and buildah, so not part of `npm test`: `npm run test:image`, CI).
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {
  ...Object.fromEntries(Object.entries(compilerOptions.paths).map(([alias, [target]]) => [`^${alias}$`, `<rootDir>/${target}`])),
  // The dashboard's browser modules import each other as the emitted files (`./admin-api.js`);
  // under jest those are the .ts sources.
  '^(\\.{1,2}/.*)\\.js$': '$1',
};

const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': swc },
  moduleNameMapper,
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/tools', '<rootDir>/helm', '<rootDir>/e2e'],
  modulePathIgnorePatterns: ['<rootDir>/dist', '<rootDir>/.data'],
};

module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['**/*.integration-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/integration.setup.js'],
    },
    {
      ...common,
      displayName: 'image',
      testMatch: ['**/*.image-spec.ts'],
      setupFilesAfterEnv: ['<rootDir>/tools/jest/integration.setup.js'],
    },
  ],
};
