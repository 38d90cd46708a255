/**
 * Text helpers for the report: HTML escaping and the few number formats the tables use.
 * In: strings and numbers (possibly null or NaN). Out: display strings; a missing value is "–".
 * Every piece of text that reaches the page passes through `escapeHtml`, because method names,
 * frame names, descriptions and the command line come from users and files.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for double- or single-quoted attribute values. */
export function escapeHtml(text: unknown): string {
  return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

const MISSING = '–';

function finite(x: number | null | undefined): x is number {
  return typeof x === 'number' && Number.isFinite(x);
}

/** A fraction as a percentage: pct(0.9301) → "93.0%". */
export function pct(x: number | null | undefined, digits = 1): string {
  return finite(x) ? `${(100 * x).toFixed(digits)}%` : MISSING;
}

/** A plain number with fixed decimals: fixed(24.56, 1) → "24.6". */
export function fixed(x: number | null | undefined, digits = 1): string {
  return finite(x) ? x.toFixed(digits) : MISSING;
}

/** A threshold or other value of unknown magnitude, 4 significant digits: sig(0.040012) → "0.04001". */
export function sig(x: number | null | undefined, digits = 4): string {
  return finite(x) ? String(Number(x.toPrecision(digits))) : MISSING;
}

/** Small fractions such as the retained pedestal fraction: sci(6.9e-3) → "6.90e-3". */
export function sci(x: number | null | undefined, digits = 2): string {
  return finite(x) ? x.toExponential(digits).replace('e+', 'e') : MISSING;
}

/** Energy in keV, fewer decimals as it grows: keV(0.83) → "0.83 keV", keV(42.44) → "42.4 keV", keV(250) → "250 keV". */
export function keV(x: number | null | undefined): string {
  if (!finite(x)) return MISSING;
  return `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} keV`;
}
