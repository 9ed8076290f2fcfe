module.exports = {
  displayName: 'queues',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/queues',
};
