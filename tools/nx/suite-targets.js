// Nx plugin: the check targets every project of the suite has, inferred from its files.
// - typecheck: the project's TypeScript files against the workspace's compiler options.
// - test: all of its jest tests (unit and e2e) against the local stack of real servers
//   (started by the jest global setup unless the caller already started one, as `npm test` does).
// - test-unit: its *.spec.ts only, with no server started (the fast lane, `npm run test:unit`).
// - test-cluster: its *.e2e-spec.ts against a 3-node Redis Cluster (the cluster lane).
const { existsSync, readdirSync } = require('node:fs');
const path = require('node:path');

const JEST_ENV = { TS_NODE_COMPILER_OPTIONS: '{"moduleResolution":"node10","module":"commonjs","customConditions":null}' };
const JEST_FLAGS = '--ci --forceExit --passWithNoTests';
const JEST_INPUTS = ['default', '^default', '{workspaceRoot}/jest.preset.js', '{workspaceRoot}/tools/jest/*', { externalDependencies: ['jest', '@swc/jest'] }];

function hasFile(directory, matches) {
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const full = path.join(directory, entry.name);
    if (entry.isDirectory() ? hasFile(full, matches) : matches(entry.name)) return true;
  }
  return false;
}

function jestTarget(root, lane, extraFlags) {
  return {
    executor: 'nx:run-commands',
    cache: true,
    inputs: JEST_INPUTS,
    options: { cwd: root, command: `jest ${JEST_FLAGS}${extraFlags ? ` ${extraFlags}` : ''}`, env: { ...JEST_ENV, SUITE_TEST_LANE: lane } },
    metadata: { technologies: ['jest'], description: `jest, ${lane} lane` },
  };
}

function targetsOf(root, workspaceRoot) {
  const absolute = path.join(workspaceRoot, root);
  const targets = {
    typecheck: {
      executor: 'nx:run-commands',
      cache: true,
      inputs: ['default', '^default', '{workspaceRoot}/tsconfig.base.json', '{workspaceRoot}/tools/typecheck/*', { externalDependencies: ['typescript'] }],
      options: { command: `node tools/typecheck/typecheck-project.js ${root}` },
      metadata: { technologies: ['typescript'], description: 'Type-checks the project' },
    },
  };
  if (existsSync(path.join(absolute, 'jest.config.cts'))) {
    targets.test = jestTarget(root, 'all', '');
    targets['test-unit'] = jestTarget(root, 'unit', '--testPathIgnorePatterns "\\.e2e-spec\\.ts$"');
    if (hasFile(absolute, (name) => name.endsWith('.e2e-spec.ts'))) {
      targets['test-cluster'] = jestTarget(root, 'cluster', '--testPathPatterns "\\.e2e-spec\\.ts$"');
    }
  }
  return targets;
}

const createNodesFunction = (configFiles, _options, context) =>
  configFiles.map((file) => {
    const root = path.dirname(file);
    return [file, { projects: { [root]: { targets: targetsOf(root, context.workspaceRoot) } } }];
  });

module.exports.createNodes = ['**/project.json', createNodesFunction];
module.exports.createNodesV2 = module.exports.createNodes;
