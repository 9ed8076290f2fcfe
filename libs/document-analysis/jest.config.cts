module.exports = {
  displayName: 'document-analysis',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/document-analysis',
};
