/**
 * Exit codes of the tpcvision command (documented in the README's Commands section), and the one
 * mapping from an error to its code. Bad input is reported as one line naming the file or option;
 * only a bug (any other Error) is an internal error.
 */
import { CommanderError } from 'commander';
import { ConfigError, InputError } from '../core/errors.js';

export const EXIT = {
  ok: 0,
  /** A bug (an Error that is not one of the named ones), or commander's own usage errors (unknown option, missing argument). */
  internalOrUsage: 1,
  /** Bad input or configuration: InputError (a file, frame or event), ConfigError / UsageError (a config key or flag). */
  badInput: 2,
  /** `trigger` finished but some frames failed (listed in the output; the other frames are written). */
  framesFailed: 3,
  /**
   * `trigger` finished but frames kept more of the grid than `trigger.maxKeptFraction` (a τ or statistics
   * that do not fit the data); every frame is written; `--allow-high-occupancy` makes it exit 0.
   */
  highOccupancy: 4,
} as const;

/** The exit code for an error, and the line to print (null: commander has printed its message and usage already). */
export function exitFor(err: unknown): { code: number; message: string | null } {
  if (err instanceof CommanderError) return { code: err.exitCode, message: null };
  if (err instanceof InputError || err instanceof ConfigError) return { code: EXIT.badInput, message: `tpcvision: ${err.message}` };
  return { code: EXIT.internalOrUsage, message: `tpcvision: ${err instanceof Error ? err.message : String(err)}` };
}
