/**
 * Domain errors. Every error a user can cause names the file (or frame, or event, or command-line
 * option) and the problem, so a physicist reading a log of a thousand-frame run knows what to fix.
 * The CLI maps these classes to exit codes (src/cli/exit-codes.ts); any other Error is a bug.
 */

/** A file, frame or event that cannot be used: `source` names it. */
export class InputError extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
    this.name = 'InputError';
  }
}

/** A configuration value (file key or flag) that cannot be used; the message names the file or key. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** A command-line option with an unusable value, e.g. `--seed must be an integer, got 'x'`. */
export class UsageError extends ConfigError {
  constructor(
    readonly option: string,
    readonly problem: string,
  ) {
    super(`${option} ${problem}`);
    this.name = 'UsageError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
