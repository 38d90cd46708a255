import { describe, expect, it } from 'vitest';
import { lineProgress } from '../../src/core/progress.js';

describe('lineProgress', () => {
  it('one line per interval with count, percentage, rate and ETA, and one at the end', () => {
    let t = 0;
    const lines: string[] = [];
    const p = lineProgress((l) => lines.push(l), 10, () => t);
    p.start(100, 'epoch 1/4');
    for (let i = 0; i < 30; i++) {
      t += 1000; // 1 s per tick
      p.tick(1, { loss: '0.5' });
    }
    // ticks at 10, 20, 30 s print; the others do not
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('epoch 1/4: 10/100 (10.0%), 1.00/s, ETA 1.5 min, loss 0.5');
    expect(lines[2]).toBe('epoch 1/4: 30/100 (30.0%), 1.00/s, ETA 1.2 min, loss 0.5');
    p.tick(1); // 31: not yet a line
    p.stop(); // the end is shown once
    expect(lines).toHaveLength(4);
    expect(lines[3]).toMatch(/^epoch 1\/4: 31\/100 /);
    // a new task restarts the count and the clock
    p.start(4, 'validation');
    t += 2000;
    p.tick(4);
    p.stop();
    expect(lines[4]).toBe('validation: 4/4 (100.0%), 2.00/s, ETA 0.0 min');
    // a task whose last tick was printed is not printed again at stop
    p.start(1, 'once');
    t += 20_000;
    p.tick(1);
    p.stop();
    expect(lines.slice(5)).toEqual(['once: 1/1 (100.0%), 0.0500/s, ETA 0.0 min']);
    // a task of unknown length (total 0): the count and the rate, no percentage or ETA
    p.start(0, 'calibrate');
    t += 2000;
    p.tick(20);
    p.stop();
    expect(lines[6]).toBe('calibrate: 20, 10.0/s');
  });
});
