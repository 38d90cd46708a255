/**
 * A command's output directory that an earlier run may already hold: refused unless --overwrite,
 * which removes that run's own files first, so that a new run's files never sit beside an old run's
 * under a run.json that describes only one of them.
 */
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../core/errors.js';

/** `owned`: the names (files or folders) a run of the command writes into `out`, run.json first. */
export function claimOutputDir(out: string, owned: readonly string[], overwrite: boolean | undefined): void {
  const present = owned.filter((f) => existsSync(join(out, f)));
  if (present.length === 0) return;
  if (!overwrite) throw new InputError(out, `holds an earlier run (${present.join(', ')}); choose another --out or give --overwrite to replace it`);
  for (const f of present) rmSync(join(out, f), { recursive: true, force: true });
}
