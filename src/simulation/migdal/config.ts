/**
 * The MIGDAL simulator's configuration lives in src/config/migdal.ts (every default in src/config);
 * this re-export keeps the simulator's modules and the CLI importing one place.
 */
export * from '../../config/migdal.js';
