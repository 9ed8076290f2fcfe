module.exports = {
  displayName: 'cron-scheduler',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/apps/cron-scheduler',
};
