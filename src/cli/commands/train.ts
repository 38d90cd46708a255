/**
 * `tpcvision train`: train the ROI autoencoder (baseline or refined) on pedestal frames, with a
 * checkpoint every epoch and --resume. The "training" section of --config, then flags, override the
 * training defaults.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { loadPedestalStats } from '../../preprocessing/index.js';
import { resolveTrainingLayers, trainingSchema, type TrainingConfig } from '../../config/training.js';
import { defined, fileLayer, FLAGS, parseInteger, parseNumber } from '../config-options.js';
import { collectFiles, frameSequence } from '../frame-inputs.js';
import { terminalProgress } from '../progress-bar.js';
import { defaultOf, describeDefault, formatDefault } from '../../config/describe-default.js';

interface TrainFlags {
  stats: string;
  out: string;
  mode?: string;
  epochs?: string;
  batchSize?: string;
  lr?: string;
  lambda?: string;
  reestimateBn: boolean;
  resume?: boolean;
  seed: string;
  config?: string;
  json?: boolean;
}

export function registerTrain(program: Command): Command {
  return program
    .command('train')
    .description('train the ROI autoencoder on pedestal frames (baseline: hybrid loss; refined: injections + masked loss)')
    .argument('<inputs...>', 'pedestal frame files or directories (10% are held out for validation)')
    .requiredOption('--stats <dir>', 'pedestal statistics directory (frozen preprocessing; copied into the model)')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--mode <mode>', describeDefault('baseline | refined', trainingSchema, 'mode'))
    .option('--epochs <n>', describeDefault('epochs', trainingSchema, 'epochs'))
    .option('--batch-size <n>', describeDefault('batch size', trainingSchema, 'batchSize'))
    .option('--lr <rate>', describeDefault('initial Adam learning rate', trainingSchema, 'learningRate'))
    .option('--lambda <value>', `mask weight λ of the refined loss, a number or 'auto' (default ${formatDefault(defaultOf(trainingSchema, 'lambda'))})`)
    .option('--no-reestimate-bn', 'keep the running batch-norm statistics of training')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--seed <n>', 'random seed', '1')
    .option('--config <file>', 'JSON with a "training" section overriding the defaults')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o: TrainFlags) => {
      const files = collectFiles(inputs);
      const seed = parseInteger('--seed', o.seed) as number;
      const training = trainingConfig(o);
      const stats = loadPedestalStats(o.stats);
      const log = o.json ? () => {} : (line: string) => console.error(line);
      // loaded on demand: tfjs costs start-up time every other command would pay
      const { trainModelFromFrames } = await import('../../training/train-run.js');
      const result = await trainModelFromFrames({
        frames: frameSequence(files),
        stats,
        training,
        seed,
        outDir: o.out,
        resume: Boolean(o.resume),
        progress: terminalProgress(o.json),
        log,
      });
      const last = result.state.history[result.state.history.length - 1];
      const summary = { out: resolve(o.out), mode: training.mode, epochs: result.state.epoch + 1, parameters: result.info.parameters, lastEpoch: last };
      if (o.json) console.log(JSON.stringify(summary, null, 2));
      else console.log(`${training.mode} autoencoder (${result.info.parameters} parameters) trained for ${summary.epochs} epochs; model in ${o.out}`);
    });
}

/** Defaults ← "training" section of --config ← flags. */
function trainingConfig(o: TrainFlags): TrainingConfig {
  const flags = defined({
    mode: o.mode,
    epochs: parseInteger('--epochs', o.epochs),
    batchSize: parseInteger('--batch-size', o.batchSize),
    learningRate: parseNumber('--lr', o.lr),
    lambda: o.lambda === undefined ? undefined : o.lambda === 'auto' ? 'auto' : parseNumber('--lambda', o.lambda),
    reestimateBatchNorm: o.reestimateBn === false ? false : undefined,
  });
  return resolveTrainingLayers([fileLayer(o.config, 'training'), { source: FLAGS, value: flags }]);
}
