module.exports = {
  displayName: 'rpc-contract',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/rpc-contract',
};
