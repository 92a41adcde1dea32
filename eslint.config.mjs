import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

export default [
  { ignores: ['**/dist/**', 'dist-image/**', 'coverage/**', '**/node_modules/**', 'libs/proto/src/generated/**', '.data/**', '.tools/**', 'apps/dashboard/public/**'] },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: [
            // Apps use libs; never another app.
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            // Libs use libs and the generated contracts.
            { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            { sourceTag: 'type:proto', onlyDependOnLibsWithTags: [] },
            // Test harnesses may start anything through libs, never import an app.
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:lib', 'type:proto'] },
            // End-to-end suites drive the stack through the testing harness and HTTP only.
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['type:testing', 'type:lib', 'type:proto'] },
            // Provider translation stays pure: no service plumbing.
            { sourceTag: 'scope:provider', onlyDependOnLibsWithTags: ['scope:shared', 'scope:provider'] },
          ],
        },
      ],
      'no-console': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests of any project may use the testing harness (never another app).
    files: ['**/*.spec.ts', '**/*.integration-spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [{ sourceTag: '*', onlyDependOnLibsWithTags: ['type:lib', 'type:proto', 'type:testing'] }],
        },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.integration-spec.ts', 'libs/testing/**/*.ts', 'bench/**/*.ts', 'tools/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
];
