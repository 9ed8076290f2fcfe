module.exports = {
  displayName: 'firestore-documents',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/firestore-documents',
};
