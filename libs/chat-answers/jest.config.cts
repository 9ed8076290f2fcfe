module.exports = {
  displayName: 'chat-answers',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/chat-answers',
};
