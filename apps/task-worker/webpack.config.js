const appWebpackConfig = require('../../tools/webpack/app-webpack-config');

module.exports = appWebpackConfig('task-worker', {
  // Document analysis runs in a worker thread loaded from its own bundle.
  additionalEntryPoints: [{ entryName: 'analysis.thread', entryPath: './src/queues/computation/analysis.thread.ts' }],
});
