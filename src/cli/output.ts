/**
 * How commands print their result: a human sentence, or JSON with --json (stdout either way; logs
 * and progress go to stderr). The method table is shared by `evaluate` and `demo`.
 */

export function print(json: boolean, value: unknown, sentence: string): void {
  if (json) console.log(JSON.stringify(value, null, 2));
  else console.log(sentence);
}

export function summaryTable(methods: { name: string; tau: number; meanCoverage: number; meanAreaCut: number; coverageAt978: number | null; events: number }[]): string {
  const head = 'method           τ          coverage  area cut  cov@97.8%  events';
  const rows = methods.map(
    (m) =>
      `${m.name.padEnd(16)} ${m.tau.toPrecision(4).padEnd(10)} ${(100 * m.meanCoverage).toFixed(1).padStart(7)}%  ${(100 * m.meanAreaCut).toFixed(2).padStart(7)}%  ${
        m.coverageAt978 === null ? '      –' : (100 * m.coverageAt978).toFixed(1).padStart(7) + '%'
      }  ${String(m.events).padStart(6)}`,
  );
  return [head, ...rows].join('\n');
}
