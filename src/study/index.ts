/**
 * Studies: whole chains over simulated runs, shared by the demo and the quality benchmarks so that
 * neither forks the CLI's pipeline. In: sizes, seeds, noise model. Out: evaluation results, report.
 */
export * from './trigger-study.js';
