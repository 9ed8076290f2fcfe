module.exports = {
  displayName: 'workflow-watch',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/workflow-watch',
};
