/**
 * Terminal progress bars (cli-progress) on stderr, only when stderr is a terminal and the user did
 * not ask for --json: logs and pipes stay clean.
 */
import cliProgress from 'cli-progress';
import type { Progress } from '../core/progress.js';
import { silentProgress } from '../core/progress.js';

export function terminalProgress(json = false): Progress {
  if (json || !process.stderr.isTTY) return silentProgress;
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
