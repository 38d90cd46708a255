/**
 * A method's running sums over the run turned into its summary: means over contained events
 * (coverage) and over frames (area cut), the τ sweep, coverage at the reference area cut, coverage
 * per energy bin, the near-zero-coverage events and the per-frame timings.
 */
import { inBin, median, coverageAtAreaCut, type EnergyBin } from './accumulate.js';
import type { MethodState } from './method-frame.js';
import type { MethodResult, SweepPoint } from './results.js';

export function summarise(
  st: MethodState,
  frames: number,
  bins: EnergyBin[],
  lowRange: EnergyBin,
  lowCoverage: number,
  referenceAreaCut: number,
): MethodResult {
  const rows = st.rows.filter((r) => r.contained);
  const covs = rows.map((r) => r.coverage);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
  const sw = st.sweep;
  const sweep: SweepPoint[] = st.spec.sweepTaus.map((tau, k) => ({
    tau,
    meanCoverage: sw.events ? sw.coverageSum[k] / sw.events : NaN,
    meanAreaCut: sw.areaCutSum[k] / sw.frames,
    lowEnergyCoverage: sw.lowEvents ? sw.lowCoverageSum[k] / sw.lowEvents : null,
    coverageByEnergy: bins.map((b, j) => ({
      lo: b.lo,
      hi: b.hi,
      events: sw.binEvents[k][j],
      meanCoverage: sw.binEvents[k][j] ? sw.binCoverageSum[k][j] / sw.binEvents[k][j] : null,
    })),
  }));
  const lowRows = rows.filter((r) => inBin(r.energyKeV, lowRange));
  return {
    name: st.spec.score.name,
    description: st.spec.score.description,
    tau: st.spec.tau,
    meanCoverage: mean(covs),
    medianCoverage: median(covs),
    meanAreaCut: st.areaCutSum / frames,
    events: rows.length,
    frames,
    referenceAreaCut,
    coverageAtReferenceCut: coverageAtAreaCut(sweep, referenceAreaCut),
    lowEnergyCoverage: lowRows.length ? mean(lowRows.map((r) => r.coverage)) : null,
    energyBins: bins.map((b) => {
      const inside = rows.filter((r) => inBin(r.energyKeV, b)).map((r) => r.coverage);
      return {
        lo: b.lo,
        hi: b.hi,
        events: inside.length,
        medianCoverage: inside.length ? median(inside) : null,
        meanCoverage: inside.length ? mean(inside) : null,
      };
    }),
    lowCoverageEvents: rows.filter((r) => r.coverage < lowCoverage).sort((a, b) => a.coverage - b.coverage),
    meanRoisPerFrame: st.roisSum / frames,
    msPerFrame: { score: st.scoreMs / frames, roi: st.roiMs / frames, ...(st.spec.score.modelMs !== undefined ? { model: st.modelMs / frames } : {}) },
    calibration: st.spec.calibration,
    sweep,
  };
}
