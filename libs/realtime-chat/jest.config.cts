module.exports = {
  displayName: 'realtime-chat',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/realtime-chat',
};
