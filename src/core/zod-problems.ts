/**
 * The one way a failed zod parse is told to a user, for configurations (config/resolve.ts) and for
 * the JSON artefacts tpcvision reads back (read-json.ts, truth files): one clause per key,
 * `camera.pedestalMeen: unknown key; epochs: Too small: expected number to be >0`.
 */
import type { z } from 'zod';

/** One problem of a parsed document: the dotted key, what is wrong, and the full key path. */
export interface ConfigProblem {
  path: readonly PropertyKey[];
  message: string;
}

/** The problems of a failed parse, one per key (an unknown-keys issue becomes one problem per key). */
export function zodProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ path: [...issue.path, key], message: 'unknown key' }))
      : [{ path: issue.path, message: issue.message }],
  );
}

/** `a.b.0: message` clauses joined by '; ', e.g. `camera.pedestalMeen: unknown key`. */
export function describeProblems(problems: readonly ConfigProblem[]): string {
  return problems.map((p) => `${p.path.map(String).join('.') || '(root)'}: ${p.message}`).join('; ');
}
