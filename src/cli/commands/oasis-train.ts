/**
 * `tpcvision oasis train`: train the overlap-separation U-Net on a prepared MIGDAL dataset. A thin
 * adapter: parse flags, resolve the config (defaults → preset → --config JSON → flags), select the
 * tfjs backend, call trainOasis and print a summary (sentence or --json). No numerics here.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { isPresetName, oasisConfigSchema, PRESET_NAMES, resolveOasisLayers, type OasisConfig, type PresetName } from '../../config/oasis.js';
import { defined, fileLayer, FLAGS, parseEngine, parseInteger, parseNumber } from '../config-options.js';
import { terminalProgress } from '../progress-bar.js';
import { describeDefault } from '../../config/describe-default.js';

interface OasisTrainFlags {
  data: string;
  out: string;
  preset: string;
  epochs?: string;
  batchSize?: string;
  microBatch?: string;
  base?: string;
  lr?: string;
  window?: string;
  config?: string;
  engine: string;
  resume?: boolean;
  seed: string;
  json?: boolean;
}

export function registerOasisTrain(oasis: Command): Command {
  return oasis
    .command('train')
    .description('train the U-Net on a prepared MIGDAL dataset (10% held out for validation; early stopping; checkpoints)')
    .requiredOption('--data <file>', 'dataset .feather (tpcvision simulate migdal, or MIGDAL_simulator output)')
    .requiredOption('--out <dir>', 'model directory to write (checkpoint/ inside)')
    .option('--preset <name>', `loss preset: ${PRESET_NAMES.join(' | ')}`, 'nominal')
    .option('--epochs <n>', describeDefault('epoch limit', oasisConfigSchema, 'training.epochs'))
    .option('--batch-size <n>', describeDefault('batch size', oasisConfigSchema, 'training.batchSize'))
    .option('--micro-batch <n>', describeDefault('samples per forward/backward pass, gradients accumulated over the batch; 0 = whole batch', oasisConfigSchema, 'training.microBatch'))
    .option('--base <n>', describeDefault('U-Net base width', oasisConfigSchema, 'training.base'))
    .option('--lr <rate>', describeDefault('AdamW learning rate', oasisConfigSchema, 'training.learningRate'))
    .option('--window <HxW>', "window the U-Net sees, e.g. 128x128, or 'none' for whole frames (default 128x128; config key window)")
    .option('--config <file>', 'JSON { loss?, training?, window? } overriding the preset')
    .option('--engine <name>', "tfjs backend: 'native' (oneDNN, falls back to cpu) or 'cpu'", 'native')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print the result as JSON')
    .action(async (o: OasisTrainFlags) => {
      // 1. flags and configuration
      const preset = parsePreset(o.preset);
      const config = oasisConfig(preset, o);
      const seed = parseInteger('--seed', o.seed) ?? 1;
      const engine = parseEngine(o.engine);
      // 2. backend and data (loaded on demand: tfjs, the engine and Arrow cost start-up time every other command would pay)
      const [{ selectBackend }, { readMigdalFeatherAs }, { trainOasis }, { compactSample }] = await Promise.all([
        import('../../engine/select-backend.js'),
        import('../../io/feather.js'),
        import('../../overlap/train.js'),
        import('../../overlap/window.js'),
      ]);
      const backend = await selectBackend({ prefer: engine });
      const data = readMigdalFeatherAs(o.data, compactSample);
      if (data.samples.length === 0) throw new InputError(o.data, 'holds no samples');
      const log = o.json ? () => {} : (line: string) => console.error(line);
      log(`backend ${backend}; ${data.samples.length} samples from ${o.data}; preset ${o.preset}`);
      // 3. train
      const r = await trainOasis({
        samples: data.samples,
        config,
        preset,
        seed,
        outDir: o.out,
        resume: Boolean(o.resume),
        data: { path: resolve(o.data), source: data.source, provenance: data.provenance },
        progress: terminalProgress(o.json),
        log,
      });
      // 4. summary
      const h = r.state.history;
      const summary = {
        out: resolve(o.out),
        preset: o.preset,
        backend,
        parameters: r.model.countParams(),
        epochs: r.state.epoch + 1,
        bestEpoch: r.state.bestEpoch + 1,
        bestValLoss: r.state.bestValLoss,
        earlyStopped: r.state.stopped,
        secondsPerStep: h.length ? h.reduce((s, e) => s + e.stepSeconds, 0) / h.length : null,
        trainEvents: r.trainIndices.length,
        validationEvents: r.validationIndices.length,
      };
      r.model.dispose();
      if (o.json) console.log(JSON.stringify(summary, null, 2));
      else console.log(`${o.preset}: ${summary.epochs} epochs (best ${summary.bestEpoch}, val loss ${summary.bestValLoss.toPrecision(4)}), model in ${summary.out}`);
    });
}

function parsePreset(value: string): PresetName {
  if (!isPresetName(value)) throw new UsageError('--preset', `names an unknown preset '${value}' (choices: ${PRESET_NAMES.join(', ')})`);
  return value;
}

/** Preset ← --config { loss?, training? } ← training flags. */
function oasisConfig(preset: PresetName, o: OasisTrainFlags): OasisConfig {
  const flags = defined({
    epochs: parseInteger('--epochs', o.epochs),
    batchSize: parseInteger('--batch-size', o.batchSize),
    microBatch: parseInteger('--micro-batch', o.microBatch),
    base: parseInteger('--base', o.base),
    learningRate: parseNumber('--lr', o.lr),
  });
  return resolveOasisLayers(preset, [fileLayer(o.config), { source: FLAGS, value: { training: flags, ...parseWindow(o.window) } }]);
}

/** --window 128x128 → { window: { height: 128, width: 128 } }; 'none' → { window: null }. */
function parseWindow(value: string | undefined): { window?: { height: number; width: number } | null } {
  if (value === undefined) return {};
  if (value === 'none') return { window: null };
  const m = /^(\d+)x(\d+)$/.exec(value);
  if (!m) throw new UsageError('--window', `'${value}' is not HxW (e.g. 128x128) or none`);
  return { window: { height: Number(m[1]), width: Number(m[2]) } };
}
