// Type-checks one Nx project: its own files (specs included) with the workspace's compiler options.
// Files it imports from other projects are compiled along, but only this project's errors count,
// so each error is reported once, by the project that owns the file.
// Usage: node tools/typecheck/typecheck-project.js <projectRoot>
const path = require('node:path');
const ts = require('typescript');

const workspaceRoot = path.resolve(__dirname, '../..');
const projectRoot = path.resolve(workspaceRoot, process.argv[2] ?? '.');
const configPath = path.join(workspaceRoot, 'tsconfig.base.json');

const config = ts.getParsedCommandLineOfConfigFile(
  configPath,
  { noEmit: true },
  { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => report([diagnostic]) },
);
const files = ts.sys.readDirectory(projectRoot, ['.ts'], ['**/node_modules/**', '**/dist/**'], ['**/*.ts']);
if (files.length === 0) {
  console.log(`typecheck ${path.relative(workspaceRoot, projectRoot)}: no TypeScript files`);
  process.exit(0);
}
const program = ts.createProgram({ rootNames: files, options: config.options, projectReferences: config.projectReferences });
const inProject = (file) => file && path.resolve(file.fileName).startsWith(projectRoot + path.sep);
const diagnostics = [
  ...program.getOptionsDiagnostics(),
  ...program.getGlobalDiagnostics(),
  ...program.getSourceFiles().filter(inProject).flatMap((file) => [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)]),
];
report(diagnostics);
console.log(`typecheck ${path.relative(workspaceRoot, projectRoot)}: ${files.length} files, ${diagnostics.length} errors`);
process.exit(diagnostics.length > 0 ? 1 : 0);

function report(list) {
  if (list.length === 0) return;
  const host = { getCanonicalFileName: (name) => name, getCurrentDirectory: () => workspaceRoot, getNewLine: () => '\n' };
  process.stderr.write(ts.formatDiagnosticsWithColorAndContext(list, host));
}
