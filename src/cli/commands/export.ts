/**
 * `tpcvision export INPUT… --out DIR [--format npy|tiff|h5]`: frames rebuilt from the trigger's `.roi`
 * files (kept pixels, 0 elsewhere), or any readable frame file converted, one output file per input
 * (roi/export.ts). Exit 3 when some inputs failed (listed; the others are written).
 */
import type { Command } from 'commander';
import { UsageError } from '../../core/errors.js';
import { exportFrames } from '../../roi/export.js';
import { collectExportInputs } from '../frame-inputs.js';
import { EXIT } from '../exit-codes.js';
import { print } from '../output.js';

const EXTENSION: Record<string, string> = { npy: '.npy', tiff: '.tif', h5: '.h5' };

export function registerExport(program: Command): Command {
  return program
    .command('export')
    .description('write frames from .roi files (kept pixels, 0 elsewhere) or convert frame files, for the offline reconstruction')
    .argument('<inputs...>', '.roi files, frame files, or directories of them')
    .requiredOption('--out <dir>', 'directory for the exported files (one per input, named after it)')
    .option('--format <format>', `output format: ${Object.keys(EXTENSION).join(', ')}`, 'npy')
    .option('--json', 'print the result as JSON')
    .action(async (inputs: string[], o: { out: string; format: string; json?: boolean }) => {
      const ext = EXTENSION[o.format];
      if (ext === undefined) throw new UsageError('--format', `'${o.format}' is not one of ${Object.keys(EXTENSION).join(', ')}`);
      const files = collectExportInputs(inputs);
      const r = await exportFrames(files, o.out, ext);
      const frames = r.written.reduce((s, w) => s + w.frames, 0);
      print(Boolean(o.json), r, `exported ${frames} frames from ${r.written.length} of ${files.length} files to ${o.out}`);
      if (r.failed.length) {
        console.error(`tpcvision: ${r.failed.length} of ${files.length} inputs failed (exit code ${EXIT.framesFailed}; the others are written):`);
        for (const f of r.failed) console.error(`  ${f.input}: ${f.reason}`);
        process.exitCode = EXIT.framesFailed;
      }
    });
}
