/**
 * Running sums for one method over a run: per-event coverage at the operating τ, per-frame area cut,
 * and the same two means (plus coverage per energy bin) at every τ of the sweep. Frames stream
 * through once; nothing per pixel is kept.
 */
import type { AnalysisEvent } from './truth.js';

export interface EnergyBin {
  lo: number;
  hi: number;
}

export function energyBinsFrom(edges: number[]): EnergyBin[] {
  const bins: EnergyBin[] = [];
  for (let i = 0; i + 1 < edges.length; i++) bins.push({ lo: edges[i], hi: edges[i + 1] });
  return bins;
}

export function inBin(e: number, b: EnergyBin): boolean {
  return e >= b.lo && e < b.hi;
}

export class SweepAccumulator {
  readonly coverageSum: Float64Array;
  readonly areaCutSum: Float64Array;
  readonly binCoverageSum: Float64Array[]; // [tau][bin]
  readonly binEvents: Float64Array[];
  readonly lowCoverageSum: Float64Array;
  lowEvents = 0;
  events = 0;
  frames = 0;

  constructor(
    readonly taus: number[],
    readonly bins: EnergyBin[],
    readonly lowRange: EnergyBin,
  ) {
    this.coverageSum = new Float64Array(taus.length);
    this.areaCutSum = new Float64Array(taus.length);
    this.lowCoverageSum = new Float64Array(taus.length);
    this.binCoverageSum = taus.map(() => new Float64Array(bins.length));
    this.binEvents = taus.map(() => new Float64Array(bins.length));
  }

  /** Record one frame at sweep point k: its area cut and its contained events' coverages. */
  add(k: number, areaCut: number, events: AnalysisEvent[], coverages: number[]): void {
    this.areaCutSum[k] += areaCut;
    for (let i = 0; i < events.length; i++) {
      const ev = events[i];
      if (!ev.contained) continue;
      this.coverageSum[k] += coverages[i];
      if (inBin(ev.energyKeV, this.lowRange)) this.lowCoverageSum[k] += coverages[i];
      for (let b = 0; b < this.bins.length; b++) {
        if (inBin(ev.energyKeV, this.bins[b])) {
          this.binCoverageSum[k][b] += coverages[i];
          this.binEvents[k][b]++;
        }
      }
    }
  }

  /** Close a frame: count it and its contained events once (same for every τ). */
  endFrame(events: AnalysisEvent[]): void {
    this.frames++;
    for (const ev of events) {
      if (!ev.contained) continue;
      this.events++;
      if (inBin(ev.energyKeV, this.lowRange)) this.lowEvents++;
    }
  }
}

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

/** Linear interpolation of coverage at a given area cut along a sweep (null outside its range). */
export function coverageAtAreaCut(points: { meanAreaCut: number; meanCoverage: number }[], areaCut: number): number | null {
  const s = [...points].sort((a, b) => a.meanAreaCut - b.meanAreaCut);
  for (let i = 0; i + 1 < s.length; i++) {
    const a = s[i];
    const b = s[i + 1];
    if (areaCut >= a.meanAreaCut && areaCut <= b.meanAreaCut) {
      if (b.meanAreaCut === a.meanAreaCut) return Math.max(a.meanCoverage, b.meanCoverage);
      const t = (areaCut - a.meanAreaCut) / (b.meanAreaCut - a.meanAreaCut);
      return a.meanCoverage + t * (b.meanCoverage - a.meanCoverage);
    }
  }
  return null;
}
