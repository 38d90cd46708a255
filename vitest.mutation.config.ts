import { defineConfig } from 'vitest/config';

// The tests that exercise the mutated modules in-process (stryker.config.mjs). Tests that spawn the
// built CLI run dist/, which a mutant in src/ never reaches, so they are left out here.
export default defineConfig({
  test: {
    include: [
      'tests/evaluation/**/*.test.ts',
      'tests/calibration/**/*.test.ts',
      'tests/roi/**/*.test.ts',
      'tests/trigger/**/*.test.ts',
      'tests/preprocessing/**/*.test.ts',
      'tests/scores/**/*.test.ts',
      'tests/overlap/**/*.test.ts',
      'tests/study/**/*.test.ts',
    ],
    exclude: ['tests/**/cli.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
