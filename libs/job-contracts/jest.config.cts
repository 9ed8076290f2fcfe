module.exports = {
  displayName: 'job-contracts',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/job-contracts',
};
