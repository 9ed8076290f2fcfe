module.exports = {
  displayName: 'llm-sessions',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/llm-sessions',
};
