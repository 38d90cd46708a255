/**
 * Evaluation outputs on disk: evaluation.json (summary per method, sweeps, energy bins, low-coverage
 * events, provenance) and events.csv (one row per event and method). Panels are not written here:
 * the report renders them.
 */
import { join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../core/atomic-write.js';
import { toolVersion } from '../core/version.js';
import type { EvaluationResult } from './evaluate-run.js';

export function evaluationJson(result: EvaluationResult, provenance: Record<string, unknown>, extras: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'tpcvision-evaluation',
    version: 1,
    tool: { name: 'tpcvision', version: toolVersion() },
    provenance,
    dataset: {
      frames: result.frames,
      events: result.events,
      containedEvents: result.containedEvents,
      analysisWidth: result.analysisWidth,
      analysisHeight: result.analysisHeight,
    },
    msPerFramePreprocess: result.msPerFramePreprocess,
    methods: result.methods,
    // other capabilities' results on the same run (e.g. `oasis` for overlap separation)
    ...extras,
  };
}

export function eventsCsv(result: EvaluationResult): string {
  const lines = ['method,frame,event,type,energy_keV,contained,coverage,total_counts'];
  for (const r of result.perEvent) {
    lines.push(
      [r.method, r.frame, r.id, r.type, r.energyKeV.toFixed(3), r.contained ? 1 : 0, r.coverage.toFixed(6), r.totalCounts.toFixed(1)].join(','),
    );
  }
  return lines.join('\n') + '\n';
}

export function writeEvaluation(outDir: string, result: EvaluationResult, provenance: Record<string, unknown>, extras: Record<string, unknown> = {}): void {
  writeJsonAtomic(join(outDir, 'evaluation.json'), evaluationJson(result, provenance, extras));
  writeFileAtomic(join(outDir, 'events.csv'), eventsCsv(result));
}
