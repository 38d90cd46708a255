/**
 * Stage "simulate": configuration + seed → runs of simulated camera frames with per-event truth, the
 * input of every later stage when no real data are at hand.
 *
 * In: a resolved detector config, a seed, the numbers of pedestal frames and events. Out: a run
 * directory of uint16 .npy frames, one truth JSON per data frame, and run.json (provenance).
 * Deliberately ignored: full particle transport (Garfield/Geant4), camera afterglow and rolling
 * shutter, the digitiser (PMT) waveforms. docs/SIMULATION.md describes the model and its limits.
 *
 * Detectors: `lime` (CYGNO LIME, ../shared/spec/detectors.md). MIGDAL joins beside it.
 */
export { geometryScale, meanEventsPerFrame } from './lime/derived.js';
export { LimeSimulator, type FrameTruth, type TruthEvent } from './lime/simulator.js';
export { simulateLimeRun, scheduleEvents, type LimeRunOptions, type LimeRunSummary } from './lime/run.js';
