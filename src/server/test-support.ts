// For the route tests that boot a real server: a repository with `.slipway/deploy.yml` on
// `develop`, pushed to the server, and one release per commit seeded in the store as CI
// would have recorded it, with a tiny image of each in the registry (deployments then need no image build). Not used outside tests.
import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { git } from '../../test/support/harness.ts';
import { ociClient } from '../../test/registry/oci-client.ts';
import { gitAuthEnv } from '../git/client.ts';
import type { Release } from '../store/repos/releases.ts';
import type { Slipway } from './slipway.ts';

/**
 * deploy.yml of service `api` with these `environments:` (indented lines). Its secret
 * API_KEY is never set, so a deployment that gets past its gate stops there, before podman.
 */
function deployYml(environments: string): string {
  return `service: api\nimage: api\nport: 8080\nenv:\n  secret: [API_KEY]\nenvironments:\n${environments}`;
}

export interface SeededReleases {
  /** The working copy; the caller removes it. */
  repo: string;
  /** Releases of project `api`, oldest first, one per commit (`one`, `two`). */
  releases: [Release, Release];
}

/** `eventPayload` is recorded on the seeded runs (e.g. `{ pusher }`, as a push records it). */
export async function seedReleases(slipway: Slipway, environments: string, eventPayload?: Record<string, unknown>): Promise<SeededReleases> {
  const repo = await mkdtemp(join(tmpdir(), 'slipway-seeded-repo-'));
  await mkdir(join(repo, '.slipway'));
  await writeFile(join(repo, '.slipway/deploy.yml'), deployYml(environments));
  await git(repo, 'init', '-q', '-b', 'develop');
  const shas: string[] = [];
  for (const m of ['one', 'two']) {
    await git(repo, 'add', '-A');
    await git(repo, 'commit', '-q', '--allow-empty', '-m', m);
    shas.push(await git(repo, 'rev-parse', 'HEAD'));
  }
  const { store } = slipway;
  const project = await store.projects.ensure('api');
  await promisify(execFile)('git', ['push', '-q', `${slipway.url}/git/api.git`, 'HEAD:refs/heads/develop'], { cwd: repo, env: { ...process.env, ...gitAuthEnv(slipway.adminToken) } });
  const releases: Release[] = [];
  for (const sha of shas) {
    const run = await store.runs.create({ projectId: project.id, workflow: 'ci.yml', name: 'ci', event: 'push', ref: 'refs/heads/develop', sha, error: 'seeded', eventPayload, jobs: [] });
    // A real (tiny) image in the registry: a deployment checks its release's image is still there.
    const image = await ociClient(slipway.url, { authorization: `Bearer ${slipway.adminToken}` }).pushImage('api/api', sha, [Buffer.from(`layer of ${sha}`)]);
    releases.push(await store.releases.create({ project_id: project.id, run_id: run.id, sha, ref: run.ref, image: 'api/api', digest: image.digest }));
  }
  return { repo, releases: releases as [Release, Release] };
}
