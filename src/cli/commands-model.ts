/**
 * Autoencoder commands: `train` (baseline or refined, from a pedestal run, with checkpoints and
 * --resume) and `model summary` (layers and parameter count of the spec's architecture).
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../core/errors.js';
import { listFrameFiles } from '../io/frames.js';
import { fileSequence } from '../io/sequence.js';
import { loadPedestalStats } from '../preprocessing/index.js';
import { resolveTrainingConfig } from '../config/training.js';
import { defined, parseNumber, readConfigFile } from './config-options.js';
import { terminalProgress } from './progress-bar.js';
import { mergeConfig } from '../config/pipeline.js';

export function registerModelCommands(program: Command): void {
  program
    .command('train')
    .description('train the ROI autoencoder on pedestal frames (baseline: hybrid loss; refined: injections + masked loss)')
    .argument('<inputs...>', 'pedestal frame files or directories (10% are held out for validation)')
    .requiredOption('--stats <dir>', 'pedestal statistics directory (frozen preprocessing; copied into the model)')
    .requiredOption('--out <dir>', 'model directory to write')
    .option('--mode <mode>', 'baseline | refined', 'refined')
    .option('--epochs <n>', 'epochs (default 100)')
    .option('--batch-size <n>', 'batch size (default 8)')
    .option('--lr <rate>', 'initial Adam learning rate (default 1e-3)')
    .option('--lambda <value>', "mask weight λ of the refined loss (default 30) or 'auto'")
    .option('--no-reestimate-bn', 'keep the running batch-norm statistics of training')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--seed <n>', 'random seed', '1')
    .option('--config <file>', 'JSON with a "training" section overriding the defaults')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o) => {
      const files = inputs.flatMap((p) => listFrameFiles(p));
      if (files.length === 0) throw new InputError(inputs.join(', '), 'no frame files found');
      const stats = loadPedestalStats(o.stats);
      const fromFile = (readConfigFile(o.config) as { training?: unknown }).training ?? {};
      const flags = defined({
        mode: o.mode,
        epochs: parseNumber('--epochs', o.epochs),
        batchSize: parseNumber('--batch-size', o.batchSize),
        learningRate: parseNumber('--lr', o.lr),
        lambda: o.lambda === undefined ? undefined : o.lambda === 'auto' ? 'auto' : parseNumber('--lambda', o.lambda),
        reestimateBatchNorm: o.reestimateBn === false ? false : undefined,
      });
      const training = resolveTrainingConfig(mergeConfig(fromFile, flags), o.config ?? 'flags');
      const log = o.json ? () => {} : (line: string) => console.error(line);
      const { trainModelFromFrames } = await import('../training/train-run.js');
      const result = await trainModelFromFrames({
        frames: fileSequence(files),
        stats,
        training,
        seed: Number(o.seed),
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

  const model = program.command('model').description('inspect the ROI autoencoder');
  model
    .command('summary')
    .description('print the layers and parameter count of the autoencoder of the spec')
    .option('--size <px>', 'input size (divisible by 16)', '1024')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      const { buildRoiAutoencoder } = await import('../models/roi-autoencoder.js');
      const { selectBackend } = await import('../engine/select-backend.js');
      await selectBackend({ prefer: 'cpu' }); // building the graph needs a backend, not a fast one
      const size = Number(o.size);
      if (!Number.isInteger(size) || size % 16 !== 0 || size <= 0) throw new InputError('--size', `must be a positive multiple of 16, got ${o.size}`);
      const m = buildRoiAutoencoder({ height: size, width: size });
      if (o.json) {
        console.log(JSON.stringify({ input: [size, size, 1], parameters: m.countParams(), layers: m.layers.map((l) => ({ name: l.name, class: l.getClassName(), parameters: l.countParams() })) }, null, 2));
      } else {
        m.summary(110, undefined, (line: string) => console.log(line));
      }
      m.dispose();
    });
}
