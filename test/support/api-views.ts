// The API's run and deployment JSON as tests and the benchmark read it: the types come from
// the server's own view functions, so a renamed field breaks the type check, not a test run.
import { isDeploymentFinished, isFinished, type DeploymentStatus, type RunStatus } from '../../src/core/types.ts';
import type { deploymentView } from '../../src/server/deployment-view.ts';
import type { runView } from '../../src/server/run-view.ts';

export type RunView = Awaited<ReturnType<typeof runView>>;
export type DeploymentView = Awaited<ReturnType<typeof deploymentView>>;

/** A run or deployment status that will not change any more. */
export const finished = (status: string): boolean => isFinished(status as RunStatus) || isDeploymentFinished(status as DeploymentStatus);
