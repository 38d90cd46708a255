/**
 * A JSON file read against a zod schema, for the artefacts tpcvision writes and reads back (model
 * directories): a missing file, bad JSON or a missing / wrongly-typed key is an InputError naming
 * the file and the dotted key, never a TypeError deep inside a loader.
 */
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from './errors.js';
import { describeProblems, zodProblems } from './zod-problems.js';

/** The parsed, validated content of `path`; `missing` says what to do when the file is absent. */
export function readJsonFile<S extends z.ZodType>(path: string, schema: S, missing: string): z.output<S> {
  if (!existsSync(path)) throw new InputError(path, `missing: ${missing}`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new InputError(path, `unreadable: ${(err as Error).message}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    throw new InputError(path, describeProblems(zodProblems(r.error)));
  }
  return r.data;
}

/** A number field that JSON.stringify wrote as null because it was NaN or ±Infinity: read back as NaN. */
export const jsonNumber = () => z.union([z.number(), z.null().transform(() => NaN)]);

/**
 * A number field that starts at +Infinity (a best-so-far loss): JSON.stringify wrote Infinity as null,
 * and the field never holds NaN (a NaN loss never compares as better), so null reads back as Infinity.
 */
export const jsonInfinity = () => z.union([z.number(), z.null().transform(() => Infinity)]);
