// PostgreSQL for tests: a throwaway cluster (scripts/throwaway-postgres.mjs) when Debian's server is installed.
// Under CI=true a missing PostgreSQL fails the run rather than skipping it.
import { findPostgres } from '../../scripts/throwaway-postgres.mjs';

export { startThrowawayPostgres, type ThrowawayPostgres } from '../../scripts/throwaway-postgres.mjs';

const found = findPostgres();
if (found.missing && process.env.CI === 'true') throw new Error(`CI=true, so the PostgreSQL tests must run, but ${found.missing}`);
if (found.missing) console.warn(`PostgreSQL tests skipped: ${found.missing}`);

/** Whether this machine can start PostgreSQL; when not, why (said once above). */
export const postgresMissing: string | undefined = found.missing;
