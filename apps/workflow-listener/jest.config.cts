module.exports = {
  displayName: 'workflow-listener',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/workflow-listener',
};
