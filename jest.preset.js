// Shared by every project's jest config: SWC transform (with decorator metadata for Nest and
// class-validator), Nx's resolver for the tsconfig path aliases, and one local stack of real
// servers (Redis, Firestore emulator, Chroma) for the whole run; the lane (SUITE_TEST_LANE: all,
// unit, cluster) decides what runs against what (tools/nx/suite-targets.js).
const nxPreset = require('@nx/jest/preset').default;
const path = require('path');

module.exports = {
  ...nxPreset,
  testEnvironment: 'node',
  transform: {
    '^.+\\.[tj]s$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          keepClassNames: true,
        },
        module: { type: 'commonjs' },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  // ESM-only dependencies (of the queue dashboard, and @nestjs/bullmq) compiled to CommonJS for jest's module system;
  // Node itself loads them natively.
  transformIgnorePatterns: ['/node_modules/(?!(content-disposition|@nestjs/bullmq|@nestjs/bull-shared)/)'],
  testMatch: ['**/?(*.)+(spec|e2e-spec).ts'],
  setupFiles: [path.join(__dirname, 'tools/jest/lane-setup.js')],
  setupFilesAfterEnv: [path.join(__dirname, 'tools/jest/e2e-retry.js')],
  reporters: ['default', path.join(__dirname, 'tools/jest/results-reporter.js')],
  globalSetup: path.join(__dirname, 'tools/jest/global-setup.ts'),
  globalTeardown: path.join(__dirname, 'tools/jest/global-teardown.ts'),
  testTimeout: 30000,
};
