/**
 * `tpcvision pedestals`: compute the pedestal statistics of a pedestal run and save them (the frozen
 * preprocessing of every later command). The frame size comes from --size, else from the first frame.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../core/errors.js';
import { iterateFrames } from '../../io/frames.js';
import type { Frame } from '../../core/frame.js';
import { computePedestalStats, savePedestalStats } from '../../preprocessing/index.js';
import { defined, parseInteger, parseSize, pipelineConfig } from '../config-options.js';
import { print } from '../output.js';
import { collectFiles, frameSequence } from '../frame-inputs.js';
import { terminalProgress } from '../progress-bar.js';
import { describeDefault } from '../../config/describe-default.js';
import { pipelineSchema } from '../../config/pipeline.js';

interface PedestalsFlags {
  out: string;
  size?: string;
  extrema?: string;
  dark?: string;
  bin?: string;
  config?: string;
  json?: boolean;
}

export function registerPedestals(program: Command): Command {
  return program
    .command('pedestals')
    .description('compute the pedestal statistics (mean, σ, extrema, crop) frozen for all later frames')
    .argument('<inputs...>', 'pedestal frame files or directories')
    .requiredOption('--out <dir>', 'directory for the statistics artefact')
    .option('--size <size>', 'frame size preset (full|half|quarter|eighth|<px>); default: from the first frame')
    .option('--extrema <mode>', describeDefault("global extrema: 'minmax' (the paper) or 'percentile' (robust to hot pixels)", pipelineSchema, 'preprocess.extrema'))
    .option('--dark <file>', 'dark frame (.npy, the camera\'s size) subtracted from every frame first; kept with the statistics for every later command (config preprocess.darkFrame)')
    .option('--bin <n>', describeDefault('sum n×n blocks of raw pixels after the dark (MIGDAL: 4); the crop and sizes refer to the binned frame', pipelineSchema, 'preprocess.bin'))
    .option('--config <file>', 'JSON configuration overriding the defaults')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o: PedestalsFlags) => {
      const files = collectFiles(inputs);
      const bin = parseInteger('--bin', o.bin);
      const size = o.size ? parseSize(o.size) : await sizeOfFirstFrame(files[0], bin ?? 1);
      const cfg = pipelineConfig(size, o.config, defined({ preprocess: { extrema: o.extrema, darkFrame: o.dark === undefined ? undefined : resolve(o.dark), bin } }));
      const stats = await computePedestalStats(frameSequence(files), cfg.preprocess, terminalProgress(o.json));
      savePedestalStats(o.out, stats);
      print(
        Boolean(o.json),
        { out: resolve(o.out), frames: stats.frameCount, extrema: stats.extrema, config: stats.config },
        `pedestal statistics of ${stats.frameCount} frames written to ${o.out} (extrema ${stats.extrema.min.toExponential(3)} … ${stats.extrema.max.toExponential(3)})`,
      );
    });
}

/** The size of the first frame (binned by `bin`): its geometry preset (config/pipeline.ts presetForFrame) unless --config sets one. */
async function sizeOfFirstFrame(file: string, bin: number): Promise<{ width: number; height: number }> {
  // the first frame only: a MIDAS run or a multi-page TIFF is not read whole for its size
  let first: Frame | undefined;
  for await (const f of iterateFrames(file)) {
    first = f;
    break;
  }
  if (first === undefined) throw new InputError(file, 'holds no frames: give the frame size with --size, or leave the empty file out');
  return { width: Math.floor(first.width / bin), height: Math.floor(first.height / bin) };
}
