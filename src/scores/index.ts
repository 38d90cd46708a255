/**
 * Score stage. In: an analysis map (preprocessed frame). Out: an anomaly map on the same grid, higher
 * = more signal-like. Ignores: thresholds and geometry (the ROI stage owns them).
 */
export * from './score.js';
export * from './classical.js';
export * from './median.js';
export * from './build.js';
