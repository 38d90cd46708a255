/**
 * Preprocessing stage. In: raw frames (uint16 counts) and a pedestal run. Out: the frozen
 * PedestalStats artefact and, per frame, the normalised analysis map on which every anomaly score
 * works. Ignores: anything outside the fiducial crop (the trigger never keeps it).
 */
export * from './resize.js';
export * from './pedestal-stats.js';
export * from './check-raw-frame.js';
export * from './preprocess.js';
export * from './raw-input.js';
export * from './stats-artefact.js';
