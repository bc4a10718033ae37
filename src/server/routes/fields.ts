// Path and query fields several routes share, with the descriptions OpenAPI shows.
import { z } from 'zod';

export const runParams = z.object({ run: z.string().describe('a run id (run_…) or <project>#<number> (also <project>/<number>)') });
export const deploymentParams = z.object({ id: z.string().describe('a deployment id (dep_…) or <project>#<number> (also <project>/<number>)') });
export const projectName = z.string().describe('project name');
export const environmentName = z.string().describe('environment name, as in .slipway/deploy.yml');

/** A string: the run view checks it against the run's attempts (attemptParam names the valid range). */
export const attemptQuery = z.string().optional().describe('attempt number (1 is the first); default the latest');

/** A non-negative integer in a query string, e.g. `?limit=20`. */
export const countQuery = z.string().regex(/^\d+$/, 'expected a non-negative integer').transform(Number);
