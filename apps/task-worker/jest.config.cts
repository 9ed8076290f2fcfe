module.exports = {
  displayName: 'task-worker',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/task-worker',
};
