/**
 * Defaults read from the schemas, for help text: an option's help says "(default 100)" from the same
 * value the resolver uses, so the two cannot drift apart when a default changes.
 */
import type { z } from 'zod';
import { ConfigError } from '../core/errors.js';
import { isPlainObject, schemaDefaults } from './resolve.js';

/** The default of the dotted key `path` in `schema` (e.g. 'training.epochs'); a key the defaults lack is an error. */
export function defaultOf(schema: z.ZodType, path: string): unknown {
  let node: unknown = schemaDefaults(schema);
  for (const key of path.split('.')) {
    if (!isPlainObject(node) || !Object.hasOwn(node, key)) throw new ConfigError(`no default for '${path}' (at '${key}')`);
    node = node[key];
  }
  return node;
}

/**
 * A default as a user would type it: small and large numbers in exponent form without padding
 * (0.001 → 1e-3, 6.9e-3), others as written (0.75, 100); arrays comma-separated; null as 'none'.
 */
export function formatDefault(value: unknown): string {
  if (typeof value === 'number') {
    if (value !== 0 && Number.isFinite(value) && (Math.abs(value) < 1e-2 || Math.abs(value) >= 1e6)) {
      return value.toExponential().replace('e+', 'e');
    }
    return String(value);
  }
  if (Array.isArray(value)) return value.map(formatDefault).join(', ');
  if (value === null) return 'none';
  if (isPlainObject(value)) return JSON.stringify(value);
  return String(value);
}

/** `${text} (default <value>)`, the value read from the schema. */
export function describeDefault(text: string, schema: z.ZodType, path: string): string {
  return `${text} (default ${formatDefault(defaultOf(schema, path))})`;
}
