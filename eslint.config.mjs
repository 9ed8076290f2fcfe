import nx from '@nx/eslint-plugin';

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  { ignores: ['**/dist', '**/out-tsc', '**/node_modules', 'tmp', '.nx'] },
  {
    files: ['**/*.ts', '**/*.js'],
    rules: {
      // Layers, from the top: apps compose domain libs, domain libs build on infrastructure libs,
      // infrastructure libs build on core libs (config, key names). Nothing depends upward and no
      // app depends on another app.
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          depConstraints: [
            { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:core', 'type:testing'] },
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:infra', 'type:core', 'type:testing'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:infra', 'type:core', 'type:testing'] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:core', 'type:testing'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:infra', 'type:core'] },
            { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:testing', 'type:infra', 'type:core'] },
          ],
        },
      ],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Configuration is read in one place: the config lib validates it and everything else
    // receives the typed AppConfig.
    files: ['apps/**/*.ts', 'libs/**/*.ts'],
    ignores: ['libs/config/**', 'libs/testing/**', '**/*.spec.ts', '**/*.e2e-spec.ts', '**/e2e/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through AppConfig (@suite/config).' }],
      'no-restricted-imports': ['error', { paths: [{ name: '@suite/testing', message: 'Test helpers are for tests only.' }] }],
    },
  },
  {
    // Benchmarks drive the apps and libs from outside, as tests do (the test stack's internals
    // included): they may reach any layer; nothing depends on them.
    files: ['bench/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': 'off' },
  },
  {
    // Build configuration shares one helper from tools/; it is not application code.
    files: ['**/webpack.config.js'],
    rules: { '@nx/enforce-module-boundaries': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
];
