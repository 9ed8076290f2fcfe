module.exports = {
  displayName: 'redis-namespaces',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/redis-namespaces',
};
