// Mutation testing of the numeric modules (issue 16): `npm run mutation`. Not part of CI (it takes
// about an hour on two cores); docs/RESULTS.md summarises the last report and the surviving mutants.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // the modules whose numbers users read: figures, masks, thresholds, metrics
  mutate: [
    'src/evaluation/**/*.ts',
    'src/calibration/**/*.ts',
    'src/roi/**/*.ts',
    'src/trigger/**/*.ts',
    'src/preprocessing/**/*.ts',
    'src/scores/**/*.ts',
    'src/overlap/metrics.ts',
    'src/overlap/evaluate.ts',
    '!src/**/index.ts',
  ],
  coverageAnalysis: 'perTest',
  concurrency: 2,
  timeoutMS: 60_000,
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  thresholds: { high: 90, low: 85, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
