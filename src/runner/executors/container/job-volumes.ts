// `volumes` of a job container or service (docs.github.com "Workflow syntax"
// §jobs.<job_id>.container.volumes). A named volume belongs to its job: `data` becomes
// `slipway-<job>-data`, labelled with the job, shared by that job's container and services
// and removed with the job, so no other job or project ever sees it. Anonymous volumes go
// with their container. Host paths reach here only when runner.hostVolumes allowed them
// (checked when the workflow was parsed, read-volumes.ts).
import { runTool, runToolOrThrow } from '../../../build/run-tool.ts';
import { SlipwayError } from '../../../core/errors.ts';
import { parseVolume } from '../../../workflow/parse/read-volumes.ts';

/** The engine's name for the job's volume `name`. */
export function jobVolumeName(jobId: string, name: string): string {
  return `slipway-${jobId}-${name}`.toLowerCase();
}

/** `-v` arguments for `volumes`, creating the job's named volumes that do not exist yet. */
export async function volumeArgs(engine: string, jobId: string, volumes: readonly string[] = []): Promise<string[]> {
  const args: string[] = [];
  for (const text of volumes) {
    const volume = parseVolume(text);
    if ('problem' in volume) throw new SlipwayError('WORKFLOW_INVALID', `invalid volume \`${text}\`: ${volume.problem}`);
    const mode = volume.mode === undefined ? '' : `:${volume.mode}`;
    if (volume.kind === 'anonymous') {
      args.push('-v', `${volume.target}${mode}`);
    } else if (volume.kind === 'host') {
      args.push('-v', `${volume.source}:${volume.target}${mode}`);
    } else {
      const name = jobVolumeName(jobId, volume.name);
      const exists = engine === 'podman' ? ['volume', 'exists', name] : ['volume', 'inspect', name];
      if ((await runTool(engine, exists)).exitCode !== 0) await runToolOrThrow(engine, ['volume', 'create', '--label', `slipway.job=${jobId}`, name]);
      args.push('-v', `${name}:${volume.target}${mode}`);
    }
  }
  return args;
}

/** Removes every named volume of the job (after its containers are gone). */
export async function removeJobVolumes(engine: string, jobId: string): Promise<void> {
  const listed = await runToolOrThrow(engine, ['volume', 'ls', '--quiet', '--filter', `label=slipway.job=${jobId}`]);
  const names = listed.split('\n').map((l) => l.trim()).filter(Boolean);
  if (names.length > 0) await runToolOrThrow(engine, ['volume', 'rm', '--force', ...names]);
}
