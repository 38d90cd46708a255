/**
 * Writes a simulated LIME run to disk:
 *   OUT/pedestals/ped_00000.npy …        uint16 H×W, noise only (GEM off)
 *   OUT/data/frame_00000.npy …           uint16 H×W, noise + events
 *   OUT/data/frame_00000.truth.json …    per-event truth of that frame (format in docs/SIMULATION.md)
 *   OUT/run.json                         provenance: tool, version, seed, resolved config, counts, files
 * In: resolved config, output directory, number of pedestal frames, total number of events M, seed.
 * The data run places Poisson(mean per frame) events in each frame until M are placed (the last frame
 * takes the remainder); empty frames are kept, as in real runs. All writes are atomic; nothing in the
 * files depends on time or on the output path, so the same seed gives byte-identical files.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../../core/atomic-write.js';
import { ConfigError } from '../../core/errors.js';
import { silentProgress, type Progress } from '../../core/progress.js';
import { Rng } from '../../core/rng.js';
import { toolVersion } from '../../core/version.js';
import { writeNpyFrame } from '../../io/npy.js';
import { EVENT_TYPES, type EventType, type LimeConfig } from '../../config/lime.js';
import { meanEventsPerFrame } from './derived.js';
import { LimeSimulator, type FrameTruth } from './simulator.js';

export interface LimeRunOptions {
  config: LimeConfig;
  outDir: string;
  /** Number of pedestal frames. */
  pedestals: number;
  /** Total number of events in the data run. */
  events: number;
  seed: number;
  progress?: Progress;
}

export interface LimeRunSummary {
  outDir: string;
  seed: number;
  width: number;
  height: number;
  pedestalFrames: number;
  dataFrames: number;
  emptyFrames: number;
  events: number;
  eventsByType: Record<EventType, number>;
  meanEventsPerFrame: number;
  seconds: number;
}

/** More data frames than this in one run is almost surely a mistake (a tiny sensor without --events-per-frame). */
const MAX_FRAMES = 1_000_000;

/** Events per data frame: Poisson(mean) each until `total` are placed; the last frame takes the remainder. */
export function scheduleEvents(total: number, mean: number, seed: number): number[] {
  if (total === 0) return [];
  if (!(mean > 0)) {
    throw new ConfigError(
      `events per frame is ${mean}: ${total} events can never be placed (set events.perMegapixel, or --events-per-frame, above 0)`,
    );
  }
  if (total / mean > MAX_FRAMES) {
    throw new ConfigError(
      `${total} events at ${mean.toPrecision(3)} per frame need about ${Math.round(total / mean)} frames (limit ${MAX_FRAMES}): raise --events-per-frame`,
    );
  }
  const rng = Rng.derive(seed, 'schedule');
  const counts: number[] = [];
  let placed = 0;
  while (placed < total) {
    const n = Math.min(rng.poisson(mean), total - placed);
    counts.push(n);
    placed += n;
  }
  return counts;
}

const pad = (i: number) => String(i).padStart(5, '0');

/** Truth JSON with one event per line: readable, and diff-friendly between runs. */
function truthJson(truth: FrameTruth): string {
  const head = JSON.stringify({ frame: truth.frame, width: truth.width, height: truth.height });
  if (truth.events.length === 0) return `${head.slice(0, -1)},"events":[]}\n`;
  return `${head.slice(0, -1)},"events":[\n${truth.events.map((e) => JSON.stringify(e)).join(',\n')}\n]}\n`;
}

export async function simulateLimeRun(opts: LimeRunOptions): Promise<LimeRunSummary> {
  const { config, outDir, seed } = opts;
  for (const [key, v] of [['pedestals', opts.pedestals], ['events', opts.events]] as const) {
    if (!Number.isInteger(v) || v < 0) throw new ConfigError(`${key}: expected a non-negative integer, got ${v}`);
  }
  if (!Number.isInteger(seed)) throw new ConfigError(`seed: expected an integer, got ${seed}`);
  const t0 = performance.now();
  const progress = opts.progress ?? silentProgress;
  const mean = meanEventsPerFrame(config);
  const schedule = scheduleEvents(opts.events, mean, seed);
  const sim = new LimeSimulator(config, seed);
  const files = { pedestals: [] as string[], data: [] as string[], truth: [] as string[] };
  const eventsByType = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;

  progress.start(opts.pedestals + schedule.length, 'simulate lime');
  try {
    for (let i = 0; i < opts.pedestals; i++) {
      const name = `pedestals/ped_${pad(i)}.npy`;
      writeNpyFrame(join(outDir, name), sim.pedestalFrame(i));
      files.pedestals.push(name);
      progress.tick(1, { frame: name });
      await yieldToEventLoop();
    }
    let nextId = 0;
    for (let i = 0; i < schedule.length; i++) {
      const ids = Array.from({ length: schedule[i] }, () => nextId++);
      const npyName = `frame_${pad(i)}.npy`;
      const { frame, truth } = sim.dataFrame(i, ids, npyName);
      writeNpyFrame(join(outDir, 'data', npyName), frame);
      const truthName = `data/frame_${pad(i)}.truth.json`;
      writeFileAtomic(join(outDir, truthName), truthJson(truth));
      for (const e of truth.events) eventsByType[e.type]++;
      files.data.push(`data/${npyName}`);
      files.truth.push(truthName);
      progress.tick(1, { frame: npyName });
      await yieldToEventLoop();
    }
  } finally {
    progress.stop();
  }

  const counts = {
    pedestalFrames: opts.pedestals,
    dataFrames: schedule.length,
    emptyFrames: schedule.filter((n) => n === 0).length,
    events: opts.events,
    eventsByType,
    meanEventsPerFrame: mean,
  };
  const provenance = {
    tool: 'tpcvision',
    version: toolVersion(),
    generator: 'simulate lime',
    seed,
    counts,
    hotPixels: { pedestalRun: sim.hotPixels(config.runs.pedestalRun).index.length, dataRun: sim.hotPixels(config.runs.dataRun).index.length },
    config,
    files,
  };
  writeJsonAtomic(join(outDir, 'run.json'), provenance);
  return {
    outDir,
    seed,
    width: config.camera.width,
    height: config.camera.height,
    ...counts,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Lets a terminal progress bar redraw between frames. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
