/**
 * What the evaluation reads (data items, methods with their τ) and what it returns (per-event rows,
 * per-method summaries with sweeps and energy bins, example panels): the types shared by the
 * evaluation steps, the writers and the report.
 */
import type { Frame } from '../core/frame.js';
import type { AnomalyScore } from '../scores/score.js';
import type { Calibration } from '../calibration/calibrate.js';
import type { FrameTruth } from './truth.js';

export interface DataItem {
  frame: Frame;
  truth: FrameTruth;
}
export type DataSequence = () => AsyncIterable<DataItem>;

export interface MethodSpec {
  score: AnomalyScore;
  tau: number;
  sweepTaus: number[];
  calibration?: Calibration;
}

export interface EventResult {
  method: string;
  frame: string;
  id: number;
  type: string;
  energyKeV: number;
  contained: boolean;
  coverage: number;
  totalCounts: number;
}

export interface SweepPoint {
  tau: number;
  meanCoverage: number;
  meanAreaCut: number;
  /** Mean coverage of the events in the singled-out low-energy range (1–5 keV by default). */
  lowEnergyCoverage: number | null;
  coverageByEnergy: { lo: number; hi: number; events: number; meanCoverage: number | null }[];
}

export interface MethodResult {
  name: string;
  description: string;
  tau: number;
  meanCoverage: number;
  medianCoverage: number;
  meanAreaCut: number;
  events: number;
  frames: number;
  /** The area cut coverage is quoted at (evaluation.referenceAreaCut), and the coverage there (null outside the sweep). */
  referenceAreaCut: number;
  coverageAtReferenceCut: number | null;
  lowEnergyCoverage: number | null;
  energyBins: { lo: number; hi: number; events: number; medianCoverage: number | null; meanCoverage: number | null }[];
  lowCoverageEvents: EventResult[];
  meanRoisPerFrame: number;
  /** score = the whole score (for learned scores including `model`, the forward pass alone) */
  msPerFrame: { score: number; roi: number; model?: number };
  calibration?: Calibration;
  sweep: SweepPoint[];
}

export interface ExamplePanel {
  method: string;
  frame: string;
  reason: 'example' | 'low-coverage';
  events: { id: number; type: string; energyKeV: number; coverage: number }[];
  width: number;
  height: number;
  analysis: Float32Array;
  score: Float32Array;
  mask: Uint8Array;
  truth: Uint8Array;
  tau: number;
}

export interface EvaluationResult {
  frames: number;
  events: number;
  containedEvents: number;
  analysisWidth: number;
  analysisHeight: number;
  msPerFramePreprocess: number;
  methods: MethodResult[];
  perEvent: EventResult[];
  panels: ExamplePanel[];
}
