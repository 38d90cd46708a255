/**
 * Per-event truth beside each data frame (written by the simulator, or converted from an offline
 * reconstruction's cluster pixels), and its projection onto the analysis grid where ROI masks live.
 * Pixels outside the fiducial crop are dropped: the trigger never sees them, so coverage is the
 * fraction of the in-crop intensity.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../core/errors.js';
import type { PreprocessConfig } from '../config/pipeline.js';
import { describeProblems, zodProblems } from '../core/zod-problems.js';
import { cropToAnalysisIndex } from '../preprocessing/resize.js';

const eventSchema = z.object({
  id: z.number().int(),
  type: z.string(),
  energyKeV: z.number(),
  pixels: z.object({ index: z.array(z.number().int().nonnegative()), counts: z.array(z.number()) }),
});
const truthSchema = z.object({
  frame: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  events: z.array(eventSchema.passthrough()),
});
export type FrameTruth = z.infer<typeof truthSchema>;

export function loadTruth(path: string): FrameTruth {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(path, `cannot read truth JSON: ${(err as Error).message}`);
  }
  const parsed = truthSchema.safeParse(raw);
  if (!parsed.success) {
    throw new InputError(path, `bad truth file: ${describeProblems(zodProblems(parsed.error))}`);
  }
  for (const ev of parsed.data.events) {
    if (ev.pixels.index.length !== ev.pixels.counts.length) {
      throw new InputError(path, `event ${ev.id}: ${ev.pixels.index.length} pixel indices but ${ev.pixels.counts.length} counts`);
    }
  }
  return parsed.data;
}

/** One event seen on the analysis grid. */
export interface AnalysisEvent {
  frame: string;
  id: number;
  type: string;
  energyKeV: number;
  /** Analysis-grid pixel indices holding the event's in-crop intensity, and that intensity (counts). */
  pixels: Int32Array;
  counts: Float64Array;
  totalCounts: number;
  /** Containment cut: one of its pixels lies farther than the border from the grid edge. */
  contained: boolean;
}

export function projectTruth(truth: FrameTruth, cfg: PreprocessConfig, border: number): AnalysisEvent[] {
  const { crop, analysisWidth: aw, analysisHeight: ah } = cfg;
  const out: AnalysisEvent[] = [];
  for (const ev of truth.events) {
    const acc = new Map<number, number>();
    const { index, counts } = ev.pixels;
    for (let k = 0; k < index.length; k++) {
      const c = counts[k];
      if (!(c > 0)) continue;
      const x = (index[k] % truth.width) - crop.x;
      const y = Math.floor(index[k] / truth.width) - crop.y;
      if (x < 0 || y < 0 || x >= crop.width || y >= crop.height) continue;
      const a = cropToAnalysisIndex(y, crop.height, ah) * aw + cropToAnalysisIndex(x, crop.width, aw);
      acc.set(a, (acc.get(a) ?? 0) + c);
    }
    const pixels = Int32Array.from(acc.keys());
    const values = Float64Array.from(acc.values());
    let total = 0;
    let contained = false;
    for (let k = 0; k < pixels.length; k++) {
      total += values[k];
      const ax = pixels[k] % aw;
      const ay = Math.floor(pixels[k] / aw);
      if (ax >= border && ay >= border && ax < aw - border && ay < ah - border) contained = true;
    }
    out.push({
      frame: truth.frame,
      id: ev.id,
      type: ev.type,
      energyKeV: ev.energyKeV,
      pixels,
      counts: values,
      totalCounts: total,
      contained: contained && total > 0,
    });
  }
  return out;
}

/** Fraction of an event's intensity inside a mask on the analysis grid. */
export function coverage(ev: AnalysisEvent, mask: Uint8Array): number {
  if (ev.totalCounts <= 0) return 0;
  let inside = 0;
  for (let k = 0; k < ev.pixels.length; k++) if (mask[ev.pixels[k]]) inside += ev.counts[k];
  return inside / ev.totalCounts;
}

/** Binary mask of all events' pixels on the analysis grid (for overlays). */
export function truthMask(events: AnalysisEvent[], size: number): Uint8Array {
  const m = new Uint8Array(size);
  for (const ev of events) for (const p of ev.pixels) m[p] = 1;
  return m;
}
