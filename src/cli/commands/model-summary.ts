/**
 * `tpcvision model summary`: the layers and parameter count of the spec's ROI autoencoder at a given
 * input size (built on the cpu backend: only the graph is needed).
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { defaultOf } from '../../config/describe-default.js';
import { pipelineSchema } from '../../config/pipeline.js';

export function registerModelSummary(model: Command): Command {
  return model
    .command('summary')
    .description('print the layers and parameter count of the autoencoder of the spec')
    .option('--size <px>', 'input size (divisible by 16)', String(defaultOf(pipelineSchema, 'preprocess.analysisWidth')))
    .option('--json', 'print the result as JSON')
    .action(async (o: { size: string; json?: boolean }) => {
      const size = Number(o.size);
      if (!Number.isInteger(size) || size % 16 !== 0 || size <= 0) throw new UsageError('--size', `must be a positive multiple of 16, got ${o.size}`);
      // loaded on demand: tfjs costs start-up time every other command would pay
      const { buildRoiAutoencoder } = await import('../../models/roi-autoencoder.js');
      const { selectBackend } = await import('../../engine/select-backend.js');
      await selectBackend({ prefer: 'cpu' }); // building the graph needs a backend, not a fast one
      const m = buildRoiAutoencoder({ height: size, width: size });
      if (o.json) {
        console.log(JSON.stringify({ input: [size, size, 1], parameters: m.countParams(), layers: m.layers.map((l) => ({ name: l.name, class: l.getClassName(), parameters: l.countParams() })) }, null, 2));
      } else {
        m.summary(110, undefined, (line: string) => console.log(line));
      }
      m.dispose();
    });
}
