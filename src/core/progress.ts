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

/**
 * Progress as plain log lines, at most one every `everySeconds` (and one at the end of each task):
 * for long runs whose output goes to a file, where a terminal bar would print nothing useful.
 * Line: "label: done/total (p%), r/s, ETA m min, info…".
 */
export function lineProgress(log: (line: string) => void, everySeconds = 60, now: () => number = () => performance.now()): Progress {
  let label = '';
  let total = 0;
  let done = 0;
  let t0 = 0;
  let last = 0;
  let info: Record<string, string | number> | undefined;
  let printed = -1; // the count the last line showed: stop() does not repeat it
  const line = () => {
    printed = done;
    const s = (now() - t0) / 1000;
    const rate = s > 0 ? done / s : 0;
    const eta = rate > 0 ? (total - done) / rate / 60 : NaN;
    const extra = info ? `, ${Object.entries(info).map(([k, v]) => `${k} ${v}`).join(', ')}` : '';
    if (!(total > 0)) {
      log(`${label}: ${done}, ${rate.toPrecision(3)}/s${extra}`); // a total not known in advance: no percentage or ETA
      return;
    }
    log(`${label}: ${done}/${total} (${((100 * done) / Math.max(total, 1)).toFixed(1)}%), ${rate.toPrecision(3)}/s, ETA ${Number.isFinite(eta) ? eta.toFixed(1) : '?'} min${extra}`);
  };
  return {
    start(n, l) {
      label = l;
      total = n;
      done = 0;
      printed = -1;
      info = undefined;
      t0 = last = now();
    },
    tick(n = 1, i) {
      done += n;
      info = i;
      if (now() - last >= everySeconds * 1000) {
        last = now();
        line();
      }
    },
    stop() {
      if (printed !== done) line();
    },
  };
}
