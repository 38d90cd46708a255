/**
 * Domain errors. Every error a user can cause names the file (or frame, or event) and the problem,
 * so a physicist reading a log of a thousand-frame run knows what to fix.
 */

export class InputError extends Error {
  constructor(
    readonly source: string,
    readonly problem: string,
  ) {
    super(`${source}: ${problem}`);
    this.name = 'InputError';
  }
}

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
