module.exports = {
  displayName: 'distributed-lock',
  preset: '../../jest.preset.js',
  coverageDirectory: '../../coverage/libs/distributed-lock',
};
