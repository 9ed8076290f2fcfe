module.exports = {
  displayName: 'session-state',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/session-state',
};
