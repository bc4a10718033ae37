// No Docker engine runs on these machines: docker talks to podman's Docker-compatible API
// (`podman system service`) on a socket of this test's own, so it builds into podman's
// image store, where the contract checks the images. Two things differ from a Docker
// daemon, and the test sets them up or states them:
// - plain HTTP to the registry is allowed by the service's registries.conf (a Docker
//   daemon allows 127.0.0.0/8 by default, podman does not);
// - podman 4.3's compat build goes on when its client disconnects (Docker cancels it,
//   moby/moby#9774; the podman change, containers/podman#10295, was never merged), so
//   aborting `docker build` ends the client but not the RUN step.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { containerToolEnv } from '../core/tool-env.ts';
import { startTestRegistry } from '../../test/registry/test-registry.ts';
import { runBuilderContract } from './builder.contract.ts';
import { DockerBuilder } from './docker-builder.ts';
import { runTool } from './run-tool.ts';

const dir = await mkdtemp(join(tmpdir(), 'slipway-docker-'));
const registry = await startTestRegistry();
const registriesConf = join(dir, 'registries.conf');
await writeFile(registriesConf, `[[registry]]\nlocation = "${registry.host.replace('127.0.0.1', 'localhost')}"\ninsecure = true\n`);
const socket = join(dir, 'podman.sock');
const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
  env: containerToolEnv({ CONTAINERS_REGISTRIES_CONF: registriesConf }), stdio: 'inherit',
});
after(async () => {
  service.kill('SIGTERM');
  await registry.close();
  await rm(dir, { recursive: true, force: true });
});
process.env.DOCKER_HOST = `unix://${socket}`;
// The socket appears once the service listens; `docker version` answers once it serves.
for (let i = 0; !existsSync(socket) || (await runTool('docker', ['version'])).exitCode !== 0; i++) {
  if (i > 200 || service.exitCode !== null) throw new Error(`podman system service did not start on ${socket}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

runBuilderContract(new DockerBuilder(), { registry, abortEndsRunSteps: false });
