/**
 * Option help states the defaults the resolvers use, read from the schemas (so a changed default
 * cannot leave stale help behind), and flags the user did not give never override a --config file.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Command } from 'commander';
import type { z } from 'zod';
import { buildProgram } from '../../src/cli/main.js';
import { fileLayer, FLAGS, pipelineConfig } from '../../src/cli/config-options.js';
import { defaultOf, formatDefault } from '../../src/config/describe-default.js';
import { pipelineSchema } from '../../src/config/pipeline.js';
import { resolveTrainingLayers, trainingSchema } from '../../src/config/training.js';
import { oasisConfigSchema } from '../../src/config/oasis.js';
import { limeConfigSchema } from '../../src/config/lime.js';

const dir = mkdtempSync(join(tmpdir(), 'tpcv-help-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function command(path: string[]): Command {
  let c: Command = buildProgram();
  for (const name of path) {
    const next = c.commands.find((s) => s.name() === name);
    if (!next) throw new Error(`no command ${path.join(' ')}`);
    c = next;
  }
  return c;
}

const option = (path: string[], flag: string) => {
  const o = command(path).options.find((x) => x.long === flag);
  if (!o) throw new Error(`${path.join(' ')} has no ${flag}`);
  return o;
};

// [command, flag, schema, dotted key]: every option whose help names a configurable default
const CASES: [string[], string, z.ZodType, string][] = [
  [['train'], '--mode', trainingSchema, 'mode'],
  [['train'], '--epochs', trainingSchema, 'epochs'],
  [['train'], '--batch-size', trainingSchema, 'batchSize'],
  [['train'], '--lr', trainingSchema, 'learningRate'],
  [['train'], '--lambda', trainingSchema, 'lambda'],
  [['calibrate'], '--target', pipelineSchema, 'calibration.targetFraction'],
  [['calibrate'], '--border', pipelineSchema, 'calibration.border'],
  [['calibrate'], '--radius', pipelineSchema, 'roi.closingRadius'],
  [['trigger'], '--radius', pipelineSchema, 'roi.closingRadius'],
  [['pedestals'], '--extrema', pipelineSchema, 'preprocess.extrema'],
  [['oasis', 'train'], '--epochs', oasisConfigSchema, 'training.epochs'],
  [['oasis', 'train'], '--batch-size', oasisConfigSchema, 'training.batchSize'],
  [['oasis', 'train'], '--micro-batch', oasisConfigSchema, 'training.microBatch'],
  [['oasis', 'train'], '--base', oasisConfigSchema, 'training.base'],
  [['oasis', 'train'], '--lr', oasisConfigSchema, 'training.learningRate'],
  [['simulate', 'lime'], '--noise', limeConfigSchema, 'noise'],
];

describe('help text', () => {
  it.each(CASES)('%j %s states the schema default of %#', (path, flag, schema, key) => {
    const o = option(path, flag);
    expect(o.description).toContain(`${formatDefault(defaultOf(schema, key))})`);
    // the default lives in the schema only: commander must not fill the flag in
    expect(o.defaultValue).toBeUndefined();
  });

  it('model summary --size defaults to the analysis grid of the schema', () => {
    expect(option(['model', 'summary'], '--size').defaultValue).toBe(String(defaultOf(pipelineSchema, 'preprocess.analysisWidth')));
  });
});

describe('configuration layers of the commands', () => {
  it("a config file's training section holds where no flag is given (train --mode used to override it)", () => {
    const file = join(dir, 'baseline.json');
    writeFileSync(file, JSON.stringify({ training: { mode: 'baseline', epochs: 7 } }));
    const cfg = resolveTrainingLayers([fileLayer(file, 'training'), { source: FLAGS, value: { epochs: 3 } }]);
    expect(cfg.mode).toBe('baseline');
    expect(cfg.epochs).toBe(3); // flags over the file
  });

  it('an error names the layer the bad value came from: the file (and its section) or the flags', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ training: { epochs: 0 }, roi: { closingRadiusPx: 3 } }));
    expect(() => resolveTrainingLayers([fileLayer(file, 'training'), { source: FLAGS, value: {} }])).toThrow(
      new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} \\(section "training"\\): epochs: `),
    );
    expect(() => resolveTrainingLayers([fileLayer(undefined, 'training'), { source: FLAGS, value: { epochs: 0 } }])).toThrow(/^command-line flags: epochs: /);
    expect(() => pipelineConfig(576, file, {})).toThrow(/bad\.json: roi\.closingRadiusPx: unknown key/);
    expect(() => pipelineConfig(576, undefined, { roi: { closingRadius: -1 } })).toThrow(/^command-line flags: roi\.closingRadius: /);
  });
});
