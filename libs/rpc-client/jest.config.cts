module.exports = {
  displayName: 'rpc-client',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/rpc-client',
};
