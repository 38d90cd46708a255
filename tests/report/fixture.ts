/**
 * A small, fully deterministic EvaluationResult for the report tests: two methods, six sweep points,
 * six energy bins, low-coverage events, and one 16×16 panel per method. Values are written out or
 * follow closed formulas (no randomness), so the golden chart SVG never drifts with a seed.
 */
import type { EvaluationResult, EventResult, ExamplePanel, MethodResult, SweepPoint } from '../../src/evaluation/evaluate-run.js';

const EDGES = [1, 2, 5, 10, 20, 50, 100];
const TAUS = [0.02, 0.03, 0.04, 0.05, 0.07, 0.1];

/** Sweep of a method whose coverage falls by `slope` per unit of area cut above 0.9. */
function sweepOf(areaCuts: number[], coverages: number[], low: number[]): SweepPoint[] {
  return TAUS.map((tau, k) => ({
    tau,
    meanAreaCut: areaCuts[k],
    meanCoverage: coverages[k],
    lowEnergyCoverage: low[k],
    coverageByEnergy: EDGES.slice(0, -1).map((lo, j) => ({ lo, hi: EDGES[j + 1], events: 10, meanCoverage: coverages[k] })),
  }));
}

function lowEvent(method: string, frame: string, id: number, energyKeV: number, coverage: number): EventResult {
  return { method, frame, id, type: 'electron', energyKeV, contained: true, coverage, totalCounts: 1200 };
}

function method(name: string, description: string, base: number, extra: Partial<MethodResult> = {}): MethodResult {
  const areaCuts = [0.86, 0.93, 0.9781, 0.985, 0.991, 0.996];
  const coverages = areaCuts.map((a) => Number((base - 2.5 * (a - 0.86) ** 2).toFixed(4)));
  const low = coverages.map((c) => Number((c - 0.15).toFixed(4)));
  return {
    name,
    description,
    tau: 0.04,
    meanCoverage: coverages[2],
    medianCoverage: Number((coverages[2] + 0.02).toFixed(4)),
    meanAreaCut: 0.9781,
    events: 60,
    frames: 12,
    referenceAreaCut: 0.978,
    coverageAtReferenceCut: coverages[2],
    lowEnergyCoverage: low[2],
    energyBins: EDGES.slice(0, -1).map((lo, j) => ({
      lo,
      hi: EDGES[j + 1],
      events: 10,
      medianCoverage: Number(Math.min(1, base - 0.3 / (j + 1)).toFixed(4)),
      meanCoverage: Number(Math.min(1, base - 0.32 / (j + 1)).toFixed(4)),
    })),
    lowCoverageEvents: [lowEvent(name, 'run1/frame-003', 7, 0.83, 0), lowEvent(name, 'run1/frame-009', 2, 1.4, 0.031)],
    meanRoisPerFrame: 3.25,
    msPerFrame: { score: 24.56, roi: 3.1 },
    sweep: sweepOf(areaCuts, coverages, low),
    ...extra,
  };
}

/** 16×16 panel: a diagonal track of signal, the ROI a band around it, truth on the track. */
export function panel(methodName: string, reason: ExamplePanel['reason']): ExamplePanel {
  const w = 16;
  const h = 16;
  const analysis = new Float32Array(w * h);
  const score = new Float32Array(w * h);
  const mask = new Uint8Array(w * h);
  const truth = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const d = Math.abs(x - y);
      analysis[i] = ((x * 7 + y * 13) % 5) * 0.1 + (d === 0 ? 8 : 0); // ±0.2 pedestal ripple, track of 8
      score[i] = Math.exp(-d); // 1 on the track, falling off beside it
      mask[i] = d <= 1 ? 1 : 0;
      truth[i] = d === 0 && x < 12 ? 1 : 0;
    }
  }
  return {
    method: methodName,
    frame: 'run1/frame-003',
    reason,
    events: [{ id: 7, type: 'electron', energyKeV: 12.5, coverage: 0.875 }],
    width: w,
    height: h,
    analysis,
    score,
    mask,
    truth,
    tau: 0.04,
  };
}

export function evaluationFixture(): EvaluationResult {
  const methods = [
    method('gaussian', 'Gaussian-filtered residual baseline', 0.95, {
      calibration: {
        targetFraction: 0.0069,
        border: 50,
        closingRadius: 3,
        frames: 20,
        whole: { tau: 0.04, fraction: 0.0069, interiorFraction: 0.00022 },
        interior: { tau: 0.031, fraction: 0.0121, interiorFraction: 0.0069 },
      },
    }),
    method('ae-refined', 'Refined autoencoder <script>alert(1)</script>', 0.97, { msPerFrame: { score: 24.56, roi: 3.1, model: 17.04 } }),
  ];
  return {
    frames: 12,
    events: 64,
    containedEvents: 60,
    analysisWidth: 16,
    analysisHeight: 16,
    msPerFramePreprocess: 5.5,
    methods,
    perEvent: methods.flatMap((m) => m.lowCoverageEvents),
    panels: [panel('gaussian', 'example'), panel('ae-refined', 'low-coverage')],
  };
}
