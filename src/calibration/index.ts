/**
 * Calibration stage. In: anomaly maps of held-out pedestal frames. Out: τ for a target retained
 * fraction, on the whole grid and with the border excluded, with both fractions at each τ.
 * Ignores: signal frames (calibrating where tracks fill the area biases τ upward).
 */
export * from './calibrate.js';
export * from './calibrate-run.js';
