/**
 * A killed trigger run and `--resume` (issue 17, point 8): the journal records each frame as it is
 * written; a resumed run keeps the frames whose .roi is intact, processes exactly the others (a
 * corrupted or deleted .roi, a frame written after the last journal line, a torn last line, a new
 * input) and rebuilds summary.json equal to an uninterrupted run's. A resume with other settings, or
 * into output without a journal, is refused. A stack cut short loses only its missing frames.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preprocessSchema } from '../../src/config/pipeline.js';
import { encodeNpy } from '../../src/io/npy.js';
import { writeFrames } from '../../src/io/frames.js';
import { computePedestalStats } from '../../src/preprocessing/pedestal-stats.js';
import { readRoiFrame } from '../../src/roi/compress.js';
import type { AnomalyScore } from '../../src/scores/score.js';
import { failureLine } from '../../src/cli/commands/trigger.js';
import { JOURNAL_FILE, readJournal } from '../../src/trigger/journal.js';
import { runTrigger, type TriggerSummary } from '../../src/trigger/run-trigger.js';
import { noiseFrames, sequenceOf } from '../helpers/synthetic.js';

// 13×9 frames, crop (1, 2, 11×6) → 11×6 grid
const pre = preprocessSchema.parse({ frameWidth: 13, frameHeight: 9, crop: { x: 1, y: 2, width: 11, height: 6 }, analysisWidth: 11, analysisHeight: 6 });

/** A score hot where the map is above its mean (so each frame keeps its own pixels), counting its calls. */
function countingScore(): AnomalyScore & { calls: number } {
  const s = {
    name: 'above-mean',
    description: '',
    batchSize: 1,
    calls: 0,
    async scoreBatch(maps: Float32Array[]) {
      s.calls += maps.length;
      return maps.map((m) => {
        const mean = m.reduce((a, v) => a + v, 0) / m.length;
        return Float32Array.from(m, (v) => (v > mean ? 10 : 0));
      });
    },
  };
  return s;
}

async function setUp() {
  const stats = await computePedestalStats(sequenceOf(noiseFrames(4, 13, 3, { height: 9 })), pre);
  const dir = mkdtempSync(join(tmpdir(), 'tpcv-resume-'));
  const frames = noiseFrames(9, 13, 11, { height: 9 });
  writeFrames(join(dir, 'a_stack.npy'), frames.slice(0, 4));
  for (let i = 4; i < 9; i++) writeFrames(join(dir, `f${i}.npy`), [frames[i]]);
  const inputs = ['a_stack.npy', 'f4.npy', 'f5.npy', 'f6.npy', 'f7.npy', 'f8.npy'].map((f) => join(dir, f));
  return { stats, dir, inputs };
}

/** The parts of a summary that must not depend on the run having been interrupted. */
const outcome = (s: TriggerSummary) => ({ framesIn: s.framesIn, framesWritten: s.framesWritten, failed: s.failed, frames: s.frames, outputs: s.outputs, kept: s.keptFractionAnalysis, rois: s.roisPerFrame });

describe('trigger --resume', () => {
  it('after a kill: intact frames are kept, exactly the others processed, the summary equals an uninterrupted run\'s', async () => {
    const { stats, dir, inputs } = await setUp();
    const clean = await runTrigger({ inputs, outDir: join(dir, 'clean'), stats, score: countingScore(), tau: 5, closingRadius: 0 });
    expect(clean.framesWritten).toBe(9);

    // the state a kill leaves: a full run's files, its journal cut after 6 frame lines plus half a line,
    // no summary; then damage: one journalled .roi corrupted, one deleted
    const out = join(dir, 'out');
    const first = await runTrigger({ inputs, outDir: out, stats, score: countingScore(), tau: 5, closingRadius: 0 });
    const lines = readFileSync(join(out, JOURNAL_FILE), 'utf8').split('\n');
    expect(lines[0]).toMatch(/"kind":"run"/);
    writeFileSync(join(out, JOURNAL_FILE), lines.slice(0, 7).join('\n') + '\n' + lines[7].slice(0, 20));
    rmSync(join(out, 'summary.json'));
    const roi = (i: number) => first.outputs[i];
    const bytes = readFileSync(roi(1));
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(roi(1), bytes);
    rmSync(roi(4));
    const mtime = (i: number) => statSync(roi(i)).mtimeMs;
    const before = [0, 2, 3, 5].map(mtime);
    await new Promise((r) => setTimeout(r, 20));

    const score = countingScore();
    const warnings: string[] = [];
    const resumed = await runTrigger({ inputs, outDir: out, stats, score, tau: 5, closingRadius: 0, resume: true, warn: (l) => warnings.push(l) });
    // journalled: frames 0–5; 1 corrupted and 4 deleted are redone, 6 (cut line), 7 and 8 (after it) done
    expect(resumed.framesResumed).toBe(4);
    expect(score.calls).toBe(5);
    expect([0, 2, 3, 5].map(mtime)).toEqual(before); // kept files never rewritten
    expect(warnings).toEqual([expect.stringMatching(/last line was cut short/)]);
    const norm = (s: TriggerSummary, root: string) => JSON.parse(JSON.stringify(outcome(s)).split(root).join('ROOT'));
    expect(norm(resumed, out)).toEqual(norm(clean, join(dir, 'clean')));
    expect(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))).toEqual(resumed);
    for (const o of resumed.outputs) expect(() => readRoiFrame(o)).not.toThrow();
    // the journal now holds two attempts
    expect(readJournal(out).lines.filter((l) => l.kind === 'run').map((l) => l.kind === 'run' && l.resumed)).toEqual([false, true]);

    // a second resume has nothing to do; a new input is processed on its own
    writeFrames(join(dir, 'f9.npy'), noiseFrames(1, 13, 12, { height: 9 }));
    const more = countingScore();
    const again = await runTrigger({ inputs: [...inputs, join(dir, 'f9.npy')], outDir: out, stats, score: more, tau: 5, closingRadius: 0, resume: true });
    expect([more.calls, again.framesResumed, again.framesWritten]).toEqual([1, 9, 10]);
  });

  it('is refused with other settings (naming them) and into output without a journal; an empty --out starts fresh', async () => {
    const { stats, dir, inputs } = await setUp();
    const out = join(dir, 'out');
    await runTrigger({ inputs: inputs.slice(1, 3), outDir: out, stats, score: countingScore(), tau: 5, closingRadius: 0 });
    await expect(runTrigger({ inputs, outDir: out, stats, score: countingScore(), tau: 6, closingRadius: 2, resume: true })).rejects.toThrow(
      /was written with other settings than this run's \(tau: 5 → 6; closingRadius: 0 → 2\): resume it with the same ones, or give --overwrite/,
    );
    const otherStats = await computePedestalStats(sequenceOf(noiseFrames(4, 13, 4, { height: 9 })), pre);
    await expect(runTrigger({ inputs, outDir: out, stats: otherStats, score: countingScore(), tau: 5, closingRadius: 0, resume: true })).rejects.toThrow(/statsSha256: [0-9a-f]{64} → [0-9a-f]{64}/);
    rmSync(join(out, JOURNAL_FILE));
    await expect(runTrigger({ inputs, outDir: out, stats, score: countingScore(), tau: 5, closingRadius: 0, resume: true })).rejects.toThrow(/holds output without a run journal .* cannot be resumed; give --overwrite/);
    const warnings: string[] = [];
    const fresh = await runTrigger({ inputs, outDir: join(dir, 'empty'), stats, score: countingScore(), tau: 5, closingRadius: 0, resume: true, warn: (l) => warnings.push(l) });
    expect(warnings).toEqual([expect.stringMatching(/no earlier run to resume; starting fresh/)]);
    expect([fresh.framesWritten, fresh.framesResumed]).toEqual([9, 0]);
  });

  it('a stack cut short loses only its missing frames, each listed with its index', async () => {
    const { stats, dir } = await setUp();
    const frames = noiseFrames(3, 13, 21, { height: 9 });
    const whole = encodeNpy([3, 9, 13], Uint16Array.from(frames.flatMap((f) => [...f.data])));
    const cut = join(dir, 'cut.npy');
    writeFileSync(cut, whole.subarray(0, whole.length - 13 * 2 * 4)); // frame 2 loses its last 4 rows
    const s = await runTrigger({ inputs: [cut], outDir: join(dir, 'out'), stats, score: countingScore(), tau: 5, closingRadius: 0 });
    expect([s.framesIn, s.framesWritten]).toEqual([3, 2]);
    expect(s.frames.map((f) => f.frameIndex)).toEqual([0, 1]);
    expect(s.failed).toEqual([{ source: cut, frameIndex: 2, reason: expect.stringMatching(/truncated \.npy data: frame 2 of 3 needs bytes \d+–\d+, the file ends at \d+/) }]);
    // the line on stderr names the file and frame once
    expect(failureLine(s.failed[0])).toMatch(new RegExp(`^${cut} \\[frame 2\\]: truncated \\.npy data: frame 2 of 3`));
    expect(failureLine({ source: 'a.npy', frameIndex: null, reason: 'a.npy: unknown frame file format' })).toBe('a.npy: unknown frame file format');
    expect(failureLine({ source: 'a.npy', frameIndex: 0, reason: 'name clash' })).toBe('a.npy: name clash');
    // and the frames kept are the file's own pixels under each mask
    for (const k of [0, 1]) {
      const d = readRoiFrame(s.outputs[k]);
      expect(d.mask.reduce((a, v) => a + v, 0)).toBeGreaterThan(0);
      expect(Array.from(d.values)).toEqual(Array.from(frames[k].data, (v, i) => (d.mask[i] ? v : 0)));
    }
  });

  it('a blank or saturated frame in a stack fails on its own, named; its neighbours are written', async () => {
    const { stats, dir } = await setUp();
    const frames = noiseFrames(3, 13, 31, { height: 9 });
    frames[1] = { ...frames[1], data: new Uint16Array(13 * 9).fill(65535) };
    writeFrames(join(dir, 'sat.npy'), frames);
    const s = await runTrigger({ inputs: [join(dir, 'sat.npy')], outDir: join(dir, 'out-sat'), stats, score: countingScore(), tau: 5, closingRadius: 0 });
    expect(s.frames.map((f) => f.frameIndex)).toEqual([0, 2]);
    expect(s.failed).toEqual([{ source: join(dir, 'sat.npy'), frameIndex: 1, reason: expect.stringMatching(/\[frame 1\]: every pixel is 65535: a blank or saturated read-out/) }]);
  });
});
