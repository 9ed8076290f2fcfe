module.exports = {
  displayName: 'tasks',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/tasks',
};
