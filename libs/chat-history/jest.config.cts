module.exports = {
  displayName: 'chat-history',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/chat-history',
};
