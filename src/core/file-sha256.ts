/** sha256 (hex) of a file's bytes: how outputs name, by content, the calibration or model that made them. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

export function fileSha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
