module.exports = {
  displayName: 'cron-schedules',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/cron-schedules',
};
