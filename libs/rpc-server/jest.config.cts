module.exports = {
  displayName: 'rpc-server',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/rpc-server',
};
