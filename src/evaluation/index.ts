/**
 * Evaluation stage (the spec's per-event protocol). In: data frames with truth, pedestal statistics,
 * scores with their calibrated τ and sweeps. Out: per-event coverage, per-frame area cut, sweeps,
 * coverage vs energy, near-zero-coverage events, timings, example panels; JSON and CSV on disk.
 * Ignores: events failing the containment cut (listed in events.csv, excluded from the means).
 */
export * from './truth.js';
export * from './accumulate.js';
export * from './evaluate-run.js';
export * from './write-results.js';
export * from './data-run.js';
