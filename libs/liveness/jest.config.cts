module.exports = {
  displayName: 'liveness',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/liveness',
};
