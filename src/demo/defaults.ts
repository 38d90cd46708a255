/**
 * The demo's run size, apart from the demo itself so that `tpcvision demo --help` can quote it
 * without loading every stage (the demo pulls in tfjs).
 */

/** Denser than real runs (1.5 events per frame), so few frames give many events. */
export const DEMO_DEFAULTS = { size: 576, trainingPedestals: 32, calibrationPedestals: 20, events: 150, eventsPerFrame: 1.5, autoencoderEpochs: 4 };
