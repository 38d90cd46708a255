/**
 * Progress reporting for long work. Library functions take an optional Progress; the CLI passes a
 * terminal bar, tests pass nothing. Keeps cli-progress out of the numeric stages.
 */
export interface Progress {
  start(total: number, label: string): void;
  tick(n?: number, info?: Record<string, string | number>): void;
  stop(): void;
}

export const silentProgress: Progress = {
  start() {},
  tick() {},
  stop() {},
};
