module.exports = {
  displayName: 'rpc-gateway',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/rpc-gateway',
};
