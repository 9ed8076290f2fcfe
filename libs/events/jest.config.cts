module.exports = {
  displayName: 'events',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/events',
};
