/**
 * `tpcvision oasis train | evaluate`: thin adapters over the overlap-separation library
 * (overlap/train.ts, study/oasis-evaluate-run.ts). They parse flags, resolve the config (defaults →
 * preset → --config JSON → flags), select the tfjs backend, call one library function and print a
 * summary (sentence or --json). No numerics here.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ConfigError } from '../core/errors.js';
import { PRESET_NAMES, resolveOasisConfig } from '../overlap/config.js';
import { defined, parseNumber, readConfigFile } from './config-options.js';
import { terminalProgress } from './progress-bar.js';

function integer(flag: string, value: string | undefined): number | undefined {
  const n = parseNumber(flag, value);
  if (n !== undefined && !Number.isInteger(n)) throw new ConfigError(`${flag} must be an integer, got '${value}'`);
  return n;
}

export function registerOasis(program: Command): Command {
  const oasis = program.command('oasis').description('overlap separation (OASIS): segmentation-regression U-Net for overlapping ER/NR tracks');

  oasis
    .command('train')
    .description('train the U-Net on a prepared MIGDAL dataset (10% held out for validation; early stopping; checkpoints)')
    .requiredOption('--data <file>', 'dataset .feather (tpcvision simulate migdal, or MIGDAL_simulator output)')
    .requiredOption('--out <dir>', 'model directory to write (checkpoint/ inside)')
    .option('--preset <name>', `loss preset: ${PRESET_NAMES.join(' | ')}`, 'nominal')
    .option('--epochs <n>', 'epoch limit (default 50)')
    .option('--batch-size <n>', 'batch size (default 16)')
    .option('--micro-batch <n>', 'samples per forward/backward pass, gradients accumulated over the batch (default 4; 0 = whole batch)')
    .option('--base <n>', 'U-Net base width (default 32)')
    .option('--lr <rate>', 'AdamW learning rate (default 2e-4)')
    .option('--config <file>', 'JSON { loss?, training? } overriding the preset')
    .option('--engine <name>', "tfjs backend: 'native' (oneDNN, falls back to cpu) or 'cpu'", 'native')
    .option('--resume', 'continue from the checkpoint in --out')
    .option('--seed <n>', 'random seed', '1')
    .option('--json', 'print the result as JSON')
    .action(async (o) => {
      const flags = defined({
        epochs: integer('--epochs', o.epochs),
        batchSize: integer('--batch-size', o.batchSize),
        microBatch: integer('--micro-batch', o.microBatch),
        base: integer('--base', o.base),
        learningRate: parseNumber('--lr', o.lr),
      });
      const fromFile = (readConfigFile(o.config) ?? {}) as { loss?: unknown; training?: Record<string, unknown> };
      const config = resolveOasisConfig(o.preset, { ...fromFile, training: { ...(fromFile.training ?? {}), ...flags } }, o.config ?? 'flags');
      const seed = integer('--seed', o.seed) ?? 1;
      // loaded on demand: tfjs, the engine and Arrow cost start-up time every other command would pay
      const [{ selectBackend }, { readMigdalFeather }, { trainOasis }] = await Promise.all([
        import('../engine/select-backend.js'),
        import('../io/feather.js'),
        import('../overlap/train.js'),
      ]);
      const backend = await selectBackend({ prefer: o.engine === 'cpu' ? 'cpu' : 'native' });
      const data = readMigdalFeather(o.data);
      const log = o.json ? () => {} : (line: string) => console.error(line);
      log(`backend ${backend}; ${data.samples.length} samples from ${o.data}; preset ${o.preset}`);
      const r = await trainOasis({
        samples: data.samples,
        config,
        preset: o.preset,
        seed,
        outDir: o.out,
        resume: Boolean(o.resume),
        data: { path: resolve(o.data), source: data.source, provenance: data.provenance },
        progress: terminalProgress(o.json),
        log,
      });
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

  oasis
    .command('evaluate')
    .description('evaluate trained models on a test set: ΔI per energy bin, IoU, NR-only false positives, ER direction')
    .requiredOption('--model <dirs...>', 'model directories (oasis train --out)')
    .requiredOption('--data <file>', 'test dataset .feather')
    .requiredOption('--out <dir>', 'output directory (oasis-evaluation.json, oasis-report.html)')
    .option('--engine <name>', "tfjs backend: 'native' or 'cpu'", 'native')
    .option('--json', 'print the entries as JSON')
    .action(async (o) => {
      const [{ selectBackend }, { readMigdalFeather }, { evaluateOasisRun }] = await Promise.all([
        import('../engine/select-backend.js'),
        import('../io/feather.js'),
        import('../study/oasis-evaluate-run.js'),
      ]);
      await selectBackend({ prefer: o.engine === 'cpu' ? 'cpu' : 'native' });
      const data = readMigdalFeather(o.data);
      const r = await evaluateOasisRun({
        modelDirs: o.model,
        samples: data.samples,
        outDir: o.out,
        data: { path: resolve(o.data), source: data.source, provenance: data.provenance },
        progress: terminalProgress(o.json),
        log: o.json ? () => {} : (line: string) => console.log(line),
      });
      if (o.json) console.log(JSON.stringify(r.entries, null, 2));
      else console.log(`wrote ${r.json} and ${r.html}`);
    });
  return oasis;
}
