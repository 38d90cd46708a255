/**
 * The naive evaluation of a run on disk (frames with .truth.json beside them), for the end-to-end
 * tests of `tpcvision evaluate` and `tpcvision demo`: each calibrated method's score maps are
 * recomputed from the files (the library's preprocessing and score, which are not what is checked
 * here), then every figure of evaluation.json is recomputed by tests/helpers/naive-trigger.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PipelineConfig } from '../../src/config/pipeline.js';
import type { CalibrationFile } from '../../src/calibration/calibrate-run.js';
import { readFrames } from '../../src/io/frames.js';
import { loadPedestalStats } from '../../src/preprocessing/stats-artefact.js';
import { preprocessFrame } from '../../src/preprocessing/preprocess.js';
import { buildScores } from '../../src/scores/build.js';
import { naiveEvaluate, naiveProject, type NaiveTruthEvent } from './naive-trigger.js';

export { expectMethodsMatch } from './naive-trigger.js';

/** Score maps of every frame file in `dir` (sorted by name) for the named score. */
export async function scoreMapsOf(dir: string, statsDir: string, scoreName: string, cfg: PipelineConfig): Promise<{ file: string; map: Float32Array }[]> {
  const stats = loadPedestalStats(statsDir);
  const [score] = await buildScores([scoreName], new Map(), stats, cfg.score);
  const out: { file: string; map: Float32Array }[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.npy')).sort()) {
    const [frame] = await readFrames(join(dir, file));
    const [map] = await score.scoreBatch([preprocessFrame(frame, stats)], stats.config.analysisWidth, stats.config.analysisHeight);
    out.push({ file, map });
  }
  return out;
}

/** The naive figures of each calibrated method on the data run, by method name. */
export async function naiveRunReference(dataDir: string, statsDir: string, calibration: CalibrationFile, cfg: PipelineConfig) {
  const pre = cfg.preprocess;
  const ev = cfg.evaluation;
  const settings = {
    width: pre.analysisWidth,
    height: pre.analysisHeight,
    closingRadius: cfg.roi.closingRadius,
    energyBins: ev.energyBins,
    lowEnergyRange: ev.lowEnergyRange,
    lowCoverage: ev.lowCoverage,
    referenceAreaCut: ev.referenceAreaCut,
  };
  const refs = new Map<string, ReturnType<typeof naiveEvaluate>>();
  for (const m of calibration.methods) {
    const maps = await scoreMapsOf(dataDir, statsDir, m.name, cfg);
    const frames = maps.map(({ file, map }) => {
      const truth = JSON.parse(readFileSync(join(dataDir, file.replace(/\.npy$/, '.truth.json')), 'utf8'));
      return { score: map, events: naiveProject(truth.frame, truth.width, truth.events as NaiveTruthEvent[], pre, ev.containmentBorder) };
    });
    refs.set(m.name, naiveEvaluate(frames, m.tau, m.sweepTaus, settings));
  }
  return refs;
}
