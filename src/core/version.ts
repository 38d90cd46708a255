/** The package version, stamped into every artefact for provenance. */
import { readFileSync } from 'node:fs';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached === undefined) {
    // works from src/core (vitest) and dist/src/core (built): walk up to the package.json
    for (const rel of ['../../package.json', '../../../package.json']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));
        if (pkg.name === 'tpcvision') {
          cached = String(pkg.version);
          break;
        }
      } catch {
        // try the next candidate
      }
    }
    cached ??= 'unknown';
  }
  return cached;
}
