module.exports = {
  displayName: 'firebase',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/firebase',
};
