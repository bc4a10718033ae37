// Who calls the runner protocol and on which job: shared by its routes (runner-protocol-api.ts, -files.ts).
import { z } from 'zod';
import type { Store } from '../../store/store.ts';
import type { EventBus } from '../../core/events.ts';
import type { RunnerApi } from '../../runner/protocol/runner-api.ts';
import type { Principal } from '../../auth/principal.ts';
import { SlipwayError } from '../../core/errors.ts';

export interface RunnerProtocolDeps {
  store: Store;
  /** 'jobs-available' is counted, so a wait that arrives after the news answers at once. */
  events: EventBus;
  /** The RunnerApi of the runner named so (the server keeps one per name). */
  apiFor: (runnerName: string) => RunnerApi;
}

export const jobParams = z.object({ job: z.string().max(100).describe('a job id (job_…) this runner holds') });

/** The runner calling (the scope check let only runner credentials in). */
export function runnerOf(principal: Principal | undefined): string {
  if (principal?.kind !== 'runner') throw new SlipwayError('FORBIDDEN', 'only a runner credential speaks the runner protocol: missing scope runner');
  return principal.runner.name;
}
