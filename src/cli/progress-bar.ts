/**
 * Progress on stderr: a terminal bar (cli-progress) when stderr is a terminal; plain lines at most
 * every 30 s (and one when each task ends) when it goes to a file or a pipe, so a long run in a log
 * shows it is alive; nothing with --json.
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../core/progress.js';
import { lineProgress, silentProgress } from '../core/progress.js';

/** Seconds between progress lines when stderr is not a terminal. */
const LINE_INTERVAL_S = 30;

export function terminalProgress(json = false): Progress {
  if (json) return silentProgress;
  if (!process.stderr.isTTY) return lineProgress((line) => process.stderr.write(`· ${line}\n`), LINE_INTERVAL_S);
  let bar: cliProgress.SingleBar | null = null;
  let count = 0;
  return {
    start(total, label) {
      count = 0;
      bar = new cliProgress.SingleBar(
        {
          stream: process.stderr,
          format: `${label.padEnd(22)} {bar} {value}/{total} {info}`,
          hideCursor: true,
          clearOnComplete: false,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(total, 1), 0, { info: '' });
    },
    tick(n = 1, info) {
      count += n;
      if (!bar) return;
      if (count > bar.getTotal()) bar.setTotal(count);
      bar.update(count, {
        info: info ? Object.entries(info).map(([k, v]) => `${k} ${typeof v === 'number' ? v.toPrecision(4) : v}`).join(' ') : '',
      });
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
}
