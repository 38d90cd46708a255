/**
 * The MIGDAL simulator's configuration lives in src/config/migdal.ts (every default in src/config);
 * this re-export keeps the simulator's modules and the CLI importing one place.
 */
export {
  migdalConfigSchema,
  defaultMigdalConfig,
  resolveMigdalConfig,
  resolveMigdalLayers,
  nrMaxKeV,
  type MigdalConfig,
  type MigdalConfigInput,
  type NrSpecies,
} from '../../config/migdal.js';
