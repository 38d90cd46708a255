/**
 * `tpcvision inspect FILE…`: what each file holds (format, frames or pages or histograms or events,
 * dimensions, pixel types, run/event numbers, time span), as a table or --json. A file that cannot be
 * inspected is reported and the others still are; the exit code then says that one failed.
 */
import type { Command } from 'commander';
import { errorMessage } from '../../core/errors.js';
import { formatSummary, inspectFile, type FileSummary } from '../../io/inspect.js';

export function registerInspect(program: Command): Command {
  return program
    .command('inspect')
    .description('tell what files hold: format, frames, dimensions, pixel type, run and event numbers')
    .argument('<files...>', 'files to inspect')
    .option('--json', 'print the result as JSON')
    .action(async (files: string[], o: { json?: boolean }) => {
      const out: (FileSummary | { path: string; error: string })[] = [];
      let failed: unknown = null;
      for (const f of files) {
        try {
          out.push(await inspectFile(f));
        } catch (err) {
          failed ??= err;
          out.push({ path: f, error: errorMessage(err) });
        }
      }
      if (o.json) console.log(JSON.stringify(out, null, 2));
      else console.log(out.map((s) => ('error' in s ? `${s.path}: cannot inspect: ${s.error}` : formatSummary(s))).join('\n\n'));
      if (failed !== null) throw failed;
    });
}
