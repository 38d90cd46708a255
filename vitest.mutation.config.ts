import { defineConfig } from 'vitest/config';

// The tests that exercise the mutated modules in-process (stryker.config.mjs).
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
      // the learned score (scores/autoencoder.ts) against its tfjs model
      'tests/training/train-run.test.ts',
    ],
    // tests that spawn the built CLI run dist/, which a mutant in src/ never reaches; the trainings
    // (seconds each) cover the mutated modules only through what the fast tests check directly
    exclude: ['tests/**/cli.test.ts', 'tests/overlap/train.test.ts', 'tests/overlap/train-state.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    maxWorkers: 1,
  },
});
