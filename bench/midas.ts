/**
 * MIDAS runs at the camera's size (issue 13): how fast tpcvision reads them, and the memory a
 * multi-GB run costs the trigger.
 *
 * 1. Reading speed: a run of --frames simulated LIME data frames (2304², uint16; 8 distinct frames
 *    cycled, each event its own serial) written as .mid, .mid.gz (zlib level 6) and .mid.lz4 (64 KiB
 *    blocks) by io/midas-write.ts, and as an HDF5 stack when the HDF5 writer is there; each read
 *    through (every camera bank decoded to a frame), MB/s of frame bytes; beside it, in the same run,
 *    `gzip -dc` and `lz4 -dc` on the same files into /dev/null (the floor a C decompressor sets).
 * 2. Memory (--rss-gb G, default 2; 0 skips): a .mid.gz of at least G GB (compressed) triggered in a
 *    child process (gaussian score, a fixed τ = 5: the memory, not the ROIs, is measured), its peak
 *    RSS from the kernel (process.resourceUsage().maxRSS) and its frames/s.
 *
 * Run: npx tsc -p tsconfig.json && node dist/bench/midas.js [--frames 60] [--rss-gb 2] [--dir DIR] [--keep]
 * Writes bench/results/midas.json. Needs disk: ~1.5 GB for the speed files at 60 frames, G GB more.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveLimeConfig } from '../src/config/lime.js';
import { resolvePipelineConfig } from '../src/config/pipeline.js';
import { writeJsonAtomic } from '../src/core/atomic-write.js';
import type { Frame } from '../src/core/frame.js';
import { toolVersion } from '../src/core/version.js';
import { iterateFrames, writeFrames } from '../src/io/frames.js';
import { flipRows } from '../src/io/midas-frames.js';
import { dataEvent, openMidasWriter } from '../src/io/midas-write.js';
import { computePedestalStats, loadPedestalStats, savePedestalStats } from '../src/preprocessing/index.js';
import { classicalScore } from '../src/scores/classical.js';
import { LimeSimulator } from '../src/simulation/lime/simulator.js';
import { runTrigger } from '../src/trigger/run-trigger.js';

const DISTINCT = 8;
const MB = 1e6;

/** Writes `count` events cycling `frames`, or (untilBytes > 0) events until the compressed file holds untilBytes. */
async function writeRun(path: string, frames: Frame<Uint16Array>[], count: number, untilBytes = 0): Promise<number> {
  const w = openMidasWriter(path);
  let n = 0;
  // the size is looked at every 20 events (a directory listing each time would cost more than the write)
  while (untilBytes > 0 ? n % 20 !== 0 || n === 0 || sizeSoFar(path) < untilBytes : n < count) {
    const f = frames[n % frames.length];
    await w.write(dataEvent({ eventId: 1, serial: n + 1, time: 1_700_000_000 + n }, [{ name: 'CAM0', type: 4, data: flipRows(f.data, f.width, f.height) }]));
    n++;
  }
  await w.close();
  return n;
}

/** Bytes written so far by a writer of `path`: its temporary file in the same directory (renamed on close). */
function sizeSoFar(path: string): number {
  const dir = dirname(path);
  const base = basename(path);
  let size = 0;
  for (const name of readdirSync(dir)) if (name.startsWith(base) && name.includes('.tmp-')) size = Math.max(size, statSync(join(dir, name)).size);
  return size;
}

async function readAll(path: string): Promise<{ seconds: number; frameBytes: number; frames: number }> {
  const t0 = performance.now();
  let frameBytes = 0;
  let frames = 0;
  for await (const f of iterateFrames(path)) {
    frameBytes += f.data.byteLength;
    frames++;
  }
  return { seconds: (performance.now() - t0) / 1000, frameBytes, frames };
}

function tool(cmd: string, path: string): number | null {
  const t0 = performance.now();
  const r = spawnSync('sh', ['-c', `${cmd} '${path}' > /dev/null`]);
  return r.status === 0 ? (performance.now() - t0) / 1000 : null;
}

async function child(run: string, statsDir: string, out: string): Promise<void> {
  const stats = loadPedestalStats(statsDir);
  const cfg = resolvePipelineConfig({});
  const t0 = performance.now();
  const s = await runTrigger({ inputs: [run], outDir: out, stats, score: classicalScore('gaussian', stats, cfg.score), tau: 5, closingRadius: cfg.roi.closingRadius, overwrite: true });
  const seconds = (performance.now() - t0) / 1000;
  console.log(JSON.stringify({ frames: s.framesWritten, failed: s.failed.length, seconds, maxRssMB: (process.resourceUsage().maxRSS * 1024) / MB }));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      frames: { type: 'string', default: '60' },
      'rss-gb': { type: 'string', default: '2' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
      'child-trigger': { type: 'string', multiple: true },
    },
  });
  if (values['child-trigger']) {
    const [run, statsDir, out] = values['child-trigger'];
    return child(run, statsDir, out);
  }
  const count = Number(values.frames);
  const rssGb = Number(values['rss-gb']);
  const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'bench-midas-'));
  mkdirSync(dir, { recursive: true });
  const sim = new LimeSimulator(resolveLimeConfig({}), 1);
  console.error(`simulating ${DISTINCT} LIME data frames and ${DISTINCT} pedestals (2304²) ...`);
  const frames = Array.from({ length: DISTINCT }, (_, i) => sim.dataFrame(i, [2 * i, 2 * i + 1]).frame);
  const rows: Record<string, unknown>[] = [];
  for (const ext of ['.mid', '.mid.gz', '.mid.lz4']) {
    const path = join(dir, `run00001${ext}`);
    const tw = performance.now();
    await writeRun(path, frames, count);
    const writeSeconds = (performance.now() - tw) / 1000;
    const bytes = statSync(path).size;
    const r = await readAll(path);
    const floor = ext === '.mid.gz' ? tool('gzip -dc', path) : ext === '.mid.lz4' ? tool('lz4 -dc', path) : tool('cat', path);
    rows.push({ format: ext, frames: r.frames, fileMB: bytes / MB, writeSeconds, readSeconds: r.seconds, readMBps: r.frameBytes / MB / r.seconds, toolSeconds: floor, toolMBps: floor ? r.frameBytes / MB / floor : null });
    console.error(`${ext}: ${r.frames} frames, ${(bytes / MB).toFixed(0)} MB, read ${(r.frameBytes / MB / r.seconds).toFixed(0)} MB/s`);
  }
  try {
    const h5 = join(dir, 'run00001.h5');
    const stack = Array.from({ length: count }, (_, n) => frames[n % frames.length]);
    await writeFrames(h5, stack);
    const r = await readAll(h5);
    rows.push({ format: '.h5', frames: r.frames, fileMB: statSync(h5).size / MB, writeSeconds: null, readSeconds: r.seconds, readMBps: r.frameBytes / MB / r.seconds, toolSeconds: null, toolMBps: null });
  } catch (err) {
    console.error(`HDF5 skipped: ${(err as Error).message}`);
  }
  let rss: Record<string, unknown> | null = null;
  if (rssGb > 0) {
    const statsDir = join(dir, 'stats');
    const peds = Array.from({ length: DISTINCT }, (_, i) => sim.pedestalFrame(i));
    const stats = await computePedestalStats(async function* () {
      yield* peds;
    }, resolvePipelineConfig({}).preprocess);
    savePedestalStats(statsDir, stats);
    const big = join(dir, 'big', 'run00002.mid.gz');
    mkdirSync(join(dir, 'big'), { recursive: true });
    console.error(`writing a ≥ ${rssGb} GB .mid.gz run ...`);
    const n = await writeRun(big, frames, 0, rssGb * 1e9);
    const r = spawnSync('node', [fileURLToPath(import.meta.url), '--child-trigger', big, '--child-trigger', statsDir, '--child-trigger', join(dir, 'roi')], { encoding: 'utf8', maxBuffer: 1 << 24 });
    if (r.status !== 0) throw new Error(`child trigger failed: ${r.stderr}`);
    rss = { fileGB: statSync(big).size / 1e9, events: n, ...JSON.parse(r.stdout.trim().split('\n').pop() as string) };
  }
  console.log('format    frames  file MB  read MB/s  tool MB/s (gzip -dc / lz4 -dc / cat)');
  for (const r of rows) {
    const f = (v: unknown, d: number) => (typeof v === 'number' ? v.toFixed(d) : '–');
    console.log(`${String(r.format).padEnd(9)} ${String(r.frames).padStart(6)}  ${f(r.fileMB, 0).padStart(7)}  ${f(r.readMBps, 0).padStart(9)}  ${f(r.toolMBps, 0).padStart(9)}`);
  }
  if (rss) console.log(`trigger on a ${(rss.fileGB as number).toFixed(2)} GB .mid.gz run: ${rss.frames} frames, peak RSS ${(rss.maxRssMB as number).toFixed(0)} MB, ${((rss.frames as number) / (rss.seconds as number)).toFixed(2)} frames/s`);
  writeJsonAtomic('bench/results/midas.json', { version: toolVersion(), frames: count, distinctFrames: DISTINCT, rows, rss });
  console.error('wrote bench/results/midas.json');
  if (!values.keep && !values.dir) rmSync(dir, { recursive: true, force: true });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exitCode = 1;
  });
}
