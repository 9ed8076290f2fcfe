// The one webpack configuration of the apps: a Node bundle of src/main.ts (libs compiled in,
// node_modules left external) with a generated package.json for the production image.
const { NxAppWebpackPlugin } = require('@nx/webpack/app-plugin');
const { join } = require('path');

module.exports = function appWebpackConfig(app, options = {}) {
  return {
    output: { path: join(__dirname, '../../dist/apps', app), clean: true },
    plugins: [
      new NxAppWebpackPlugin({
        target: 'node',
        compiler: 'tsc',
        main: './src/main.ts',
        tsConfig: './tsconfig.json',
        optimization: false,
        outputHashing: 'none',
        generatePackageJson: true,
        sourceMap: true,
        ...options,
      }),
    ],
  };
};
