/**
 * The evaluation's files in-process: a data run on disk (frame files with truth beside them), the
 * truth reader's checks, and what writeEvaluation puts in evaluation.json and events.csv (hand-made
 * results: every field and every CSV column checked against the values put in).
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeFrame } from '../../src/core/frame.js';
import { InputError } from '../../src/core/errors.js';
import { toolVersion } from '../../src/core/version.js';
import { writeFrame, writeFrames } from '../../src/io/frames.js';
import { dataRunFiles, dataSequence, truthPathFor } from '../../src/evaluation/data-run.js';
import { loadTruth } from '../../src/evaluation/truth.js';
import { eventsCsv, evaluationJson, writeEvaluation } from '../../src/evaluation/write-results.js';
import type { EvaluationResult } from '../../src/evaluation/evaluate-run.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'tpcv-data-'));
const truthOf = (frame: string, events: unknown[] = []) => ({ frame, width: 3, height: 2, events });
const frameOf = (k: number) => makeFrame(3, 2, Uint16Array.from([k, 1, 2, 3, 4, 5 + k]), {});

describe('truthPathFor', () => {
  it('replaces the frame extension (only a final one) by .truth.json', () => {
    expect(truthPathFor('d/f_0.npy')).toBe('d/f_0.truth.json');
    expect(truthPathFor('d/f_0.tif')).toBe('d/f_0.truth.json');
    expect(truthPathFor('d/f_0.tiff')).toBe('d/f_0.truth.json');
    expect(truthPathFor('d/f_0.TIF')).toBe('d/f_0.truth.json');
    expect(truthPathFor('d/f_0.TIFF')).toBe('d/f_0.truth.json');
    expect(truthPathFor('d/f.tiff.npy')).toBe('d/f.tiff.truth.json');
    expect(truthPathFor('d/f.npy.bak')).toBe('d/f.npy.bak.truth.json');
  });
});

describe('a data run on disk', () => {
  it('lists frame files with their truth and streams each frame with its truth, in order', async () => {
    const dir = tmp();
    const truths = [truthOf('f_0', [{ id: 4, type: 'er', energyKeV: 2.5, pixels: { index: [1, 5], counts: [3, 7] } }]), truthOf('f_1')];
    for (const k of [0, 1]) {
      writeFrame(join(dir, `f_${k}.npy`), frameOf(k));
      writeFileSync(join(dir, `f_${k}.truth.json`), JSON.stringify(truths[k]));
    }
    const files = dataRunFiles(dir);
    expect(files.map((f) => f.slice(dir.length + 1))).toEqual(['f_0.npy', 'f_1.npy']);
    const items = [];
    for await (const it of dataSequence(files)()) items.push(it);
    expect(items.map((i) => Array.from(i.frame.data))).toEqual([Array.from(frameOf(0).data), Array.from(frameOf(1).data)]);
    expect(items.map((i) => i.truth)).toEqual(truths);
  });

  it('fails on a directory without frames, on a frame without truth, and on a file of two frames', async () => {
    const empty = tmp();
    // listFrameFiles already refuses a directory without frame files (data-run's own check cannot be reached)
    expect(() => dataRunFiles(empty)).toThrow(`${empty}: directory holds no frame files`);
    const dir = tmp();
    writeFrame(join(dir, 'a.npy'), frameOf(0));
    writeFileSync(join(dir, 'a.truth.json'), JSON.stringify(truthOf('a')));
    writeFrame(join(dir, 'b.npy'), frameOf(1));
    const b = join(dir, 'b.npy');
    expect(() => dataRunFiles(dir)).toThrow(new InputError(b, `no truth beside it (expected ${join(dir, 'b.truth.json')}): evaluation needs per-event truth`));
    const two = join(dir, 'two.npy');
    writeFrames(two, [frameOf(0), frameOf(1)]);
    writeFileSync(join(dir, 'two.truth.json'), JSON.stringify(truthOf('two')));
    const seq = dataSequence([join(dir, 'a.npy'), two])();
    const it0 = await seq[Symbol.asyncIterator]().next();
    expect(it0.done).toBe(false);
    const drain = async () => {
      for await (const _ of dataSequence([two])()) void _;
    };
    await expect(drain()).rejects.toThrow(new InputError(two, 'expected one frame per data file, found 2'));
  });
});

describe('loadTruth', () => {
  const dir = tmp();
  mkdirSync(dir, { recursive: true });
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  it('reads a valid file (extra event fields kept)', () => {
    const t = truthOf('x', [{ id: 1, type: 'nr', energyKeV: 7, pixels: { index: [0, 2], counts: [1, 2] }, note: 'kept' }]);
    expect(loadTruth(write('ok.json', JSON.stringify(t)))).toEqual(t);
  });
  it('names the file and the problem: bad JSON, bad shape, index/counts of different lengths', () => {
    const bad = write('bad.json', '{');
    expect(() => loadTruth(bad)).toThrow(InputError);
    expect(() => loadTruth(bad)).toThrow(`${bad}: cannot read truth JSON: `);
    const shape = write('shape.json', JSON.stringify({ frame: 'x', width: 0, height: 2, events: [] }));
    expect(() => loadTruth(shape)).toThrow(`${shape}: bad truth file: `);
    expect(() => loadTruth(shape)).toThrow(/width/);
    const nopix = write('nopix.json', JSON.stringify(truthOf('x', [{ id: 1, type: 'er', energyKeV: 1 }])));
    expect(() => loadTruth(nopix)).toThrow(`${nopix}: bad truth file: `);
    const strpix = write('strpix.json', JSON.stringify(truthOf('x', [{ id: 1, type: 'er', energyKeV: 1, pixels: { index: 'a', counts: [] } }])));
    expect(() => loadTruth(strpix)).toThrow(`${strpix}: bad truth file: `);
    const lens = write('lens.json', JSON.stringify(truthOf('x', [{ id: 9, type: 'er', energyKeV: 1, pixels: { index: [0, 1, 2], counts: [1, 1] } }])));
    expect(() => loadTruth(lens)).toThrow(new InputError(lens, 'event 9: 3 pixel indices but 2 counts'));
  });
});

describe('evaluation outputs', () => {
  const row = (method: string, id: number, contained: boolean, coverage: number) => ({
    method,
    frame: 'f_7',
    id,
    type: id % 2 ? 'er' : 'nr',
    energyKeV: 1.23456,
    contained,
    coverage,
    totalCounts: 42.25,
  });
  const result = {
    frames: 3,
    events: 5,
    containedEvents: 4,
    analysisWidth: 11,
    analysisHeight: 7,
    msPerFramePreprocess: 0.5,
    methods: [{ name: 'm' }],
    perEvent: [row('m', 1, true, 0.5), row('m', 2, false, 1 / 3)],
    panels: [],
  } as unknown as EvaluationResult;

  it('events.csv: header and one row per event, fixed decimals', () => {
    expect(eventsCsv(result)).toBe(
      'method,frame,event,type,energy_keV,contained,coverage,total_counts\n' + 'm,f_7,1,er,1.235,1,0.500000,42.3\n' + 'm,f_7,2,nr,1.235,0,0.333333,42.3\n',
    );
  });
  it('evaluation.json: kind, version, tool, provenance, dataset, timings, methods and extras; both files written', () => {
    const expected = {
      kind: 'tpcvision-evaluation',
      version: 1,
      tool: { name: 'tpcvision', version: toolVersion() },
      provenance: { seed: 3 },
      dataset: { frames: 3, events: 5, containedEvents: 4, analysisWidth: 11, analysisHeight: 7 },
      msPerFramePreprocess: 0.5,
      methods: [{ name: 'm' }],
    };
    expect(evaluationJson(result, { seed: 3 })).toEqual(expected);
    expect(evaluationJson(result, { seed: 3 }, { oasis: { x: 1 } })).toEqual({ ...expected, oasis: { x: 1 } });
    const dir = tmp();
    writeEvaluation(dir, result, { seed: 3 }, { oasis: { x: 1 } });
    expect(JSON.parse(readFileSync(join(dir, 'evaluation.json'), 'utf8'))).toEqual({ ...expected, oasis: { x: 1 } });
    expect(readFileSync(join(dir, 'events.csv'), 'utf8')).toBe(eventsCsv(result));
    const dir2 = tmp();
    writeEvaluation(dir2, result, { seed: 3 });
    expect(JSON.parse(readFileSync(join(dir2, 'evaluation.json'), 'utf8'))).toEqual(expected);
  });
});
