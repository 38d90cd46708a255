/**
 * Trigger stage. In: a run of frame files, pedestal statistics, a score and τ. Out: one
 * ROI-compressed .roi file per frame and a run summary (frames in/out, failures with reasons, kept
 * fraction, per-stage time). Ignores: truth (evaluation is a separate stage).
 */
export * from './run-trigger.js';
export * from './raw-mask.js';
