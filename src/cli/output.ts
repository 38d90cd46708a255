/**
 * How commands print their result: a human sentence, or JSON with --json (stdout either way; logs
 * and progress go to stderr). The method table is shared by `evaluate` and `demo`.
 */

export function print(json: boolean, value: unknown, sentence: string): void {
  if (json) console.log(JSON.stringify(value, null, 2));
  else console.log(sentence);
}

type MethodRow = { name: string; tau: number; meanCoverage: number; meanAreaCut: number; coverageAtReferenceCut: number | null; referenceAreaCut: number; events: number };

/** One row per method; the coverage column is headed by the reference area cut the run was evaluated at. */
export function summaryTable(methods: MethodRow[]): string {
  const cut = methods.length ? `cov@${+(100 * methods[0].referenceAreaCut).toFixed(2)}%` : 'cov@cut';
  const w = Math.max(16, ...methods.map((m) => m.name.length)); // long names (…-shipped) widen the column
  const head = `${'method'.padEnd(w)} τ          coverage  area cut  ${cut.padStart(9)}  events`;
  const rows = methods.map(
    (m) =>
      `${m.name.padEnd(w)} ${m.tau.toPrecision(4).padEnd(10)} ${(100 * m.meanCoverage).toFixed(1).padStart(7)}%  ${(100 * m.meanAreaCut).toFixed(2).padStart(7)}%  ${
        m.coverageAtReferenceCut === null ? '      –' : (100 * m.coverageAtReferenceCut).toFixed(1).padStart(7) + '%'
      }  ${String(m.events).padStart(6)}`,
  );
  return [head, ...rows].join('\n');
}
