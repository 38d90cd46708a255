/**
 * `tpcvision oasis evaluate`: evaluate trained U-Nets on a test dataset (ΔI per energy bin, IoU,
 * NR-only false positives, ER direction); writes oasis-evaluation.json and oasis-report.html.
 */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError, UsageError } from '../../core/errors.js';
import { parseEngine } from '../config-options.js';
import { readBoxCsv } from '../../io/box-file.js';
import { terminalProgress } from '../progress-bar.js';

export function registerOasisEvaluate(oasis: Command): Command {
  return oasis
    .command('evaluate')
    .description('evaluate trained models on a test set: ΔI per energy bin, IoU, NR-only false positives, ER direction')
    .requiredOption('--model <dirs...>', 'model directories (oasis train --out)')
    .requiredOption('--data <file>', 'test dataset .feather')
    .requiredOption('--out <dir>', 'output directory (oasis-evaluation.json, oasis-report.html)')
    .option('--engine <name>', "tfjs backend: 'native' or 'cpu'", 'native')
    .option('--window-box <where>', "where a windowed model's window is centred: 'input' (the brightest group of pixels, found in the image) or 'valid' (the sample's valid box); default: the model's config")
    .option('--boxes <file.csv>', "boxes given with the samples (e.g. a detector's NR boxes): CSV with columns id,x0,y0,x1,y1 (half-open frame px); windows are centred on them")
    .option('--json', 'print the entries as JSON')
    .action(async (o: { model: string[]; data: string; out: string; engine: string; windowBox?: string; boxes?: string; json?: boolean }) => {
      const engine = parseEngine(o.engine);
      if (o.windowBox !== undefined && o.windowBox !== 'input' && o.windowBox !== 'valid') throw new UsageError('--window-box', `'${o.windowBox}' is not input or valid`);
      const windowBox = o.windowBox as 'input' | 'valid' | undefined;
      if (o.boxes !== undefined && windowBox !== undefined) throw new UsageError('--boxes', 'give either --boxes or --window-box, not both');
      const boxes = o.boxes === undefined ? undefined : readBoxCsv(o.boxes);
      // loaded on demand: tfjs, the engine and Arrow cost start-up time every other command would pay
      const [{ selectBackend }, { readMigdalFeatherAs }, { evaluateOasisRun }, { compactSample }] = await Promise.all([
        import('../../engine/select-backend.js'),
        import('../../io/feather.js'),
        import('../../study/oasis-evaluate-run.js'),
        import('../../overlap/window.js'),
      ]);
      await selectBackend({ prefer: engine });
      const data = readMigdalFeatherAs(o.data, compactSample);
      if (data.samples.length === 0) throw new InputError(o.data, 'holds no samples');
      const missing = boxes ? data.samples.filter((c) => !boxes.has(c.id)) : [];
      if (missing.length) throw new InputError(o.boxes!, `no box for ${missing.length} of the ${data.samples.length} samples of ${o.data} (first: '${missing[0].id}')`);
      const r = await evaluateOasisRun({
        modelDirs: o.model,
        samples: data.samples,
        windowBox,
        boxes,
        outDir: o.out,
        data: { path: resolve(o.data), source: data.source, provenance: data.provenance },
        progress: terminalProgress(o.json),
        log: o.json ? () => {} : (line: string) => console.log(line),
      });
      if (o.json) console.log(JSON.stringify(r.entries, null, 2));
      else console.log(`wrote ${r.json} and ${r.html}`);
    });
}
