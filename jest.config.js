/** Tests run from TypeScript sources (swc); worker threads run the compiled dist/ (npm test builds first). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  testTimeout: 180000,
  // Removes each test file's temp folders (test/helpers.ts `tmp`) after its tests.
  setupFilesAfterEnv: ['<rootDir>/test/setup.ts'],
  // Tests that train or run the CLI use worker threads; two at a time keep a 2-core machine responsive.
  maxWorkers: 2,
  // The slowest files first, also on a clean clone with no cached durations (test/sequencer.js).
  testSequencer: '<rootDir>/test/sequencer.js',
  reporters: ['default', '<rootDir>/test/summary-reporter.js'],
};
