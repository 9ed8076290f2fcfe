module.exports = {
  displayName: 'vector',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/vector',
};
