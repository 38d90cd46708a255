/** The package version, stamped into every artefact for provenance, and the package's root folder. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: { version: string; root: string | null } | undefined;

function packageInfo(): { version: string; root: string | null } {
  if (cached === undefined) {
    // works from src/core (vitest) and dist/src/core (built): walk up to the package.json
    for (const rel of ['../../', '../../../']) {
      try {
        const pkg = JSON.parse(readFileSync(new URL(`${rel}package.json`, import.meta.url), 'utf8'));
        if (pkg.name === 'tpcvision') {
          cached = { version: String(pkg.version), root: fileURLToPath(new URL(rel, import.meta.url)) };
          break;
        }
      } catch {
        // try the next candidate
      }
    }
    cached ??= { version: 'unknown', root: null };
  }
  return cached;
}

export function toolVersion(): string {
  return packageInfo().version;
}

/** The package's root folder (where package.json and the shipped models/ are), or null if not found. */
export function packageRoot(): string | null {
  return packageInfo().root;
}
