// No Docker engine runs on these machines: docker talks to podman's Docker-compatible API
// (`podman system service`) on a socket of this test's own, so it builds into podman's
// image store, where the contract checks the images.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { containerToolEnv } from '../core/tool-env.ts';
import { runBuilderContract } from './builder.contract.ts';
import { DockerBuilder } from './docker-builder.ts';
import { runTool } from './run-tool.ts';

const dir = await mkdtemp(join(tmpdir(), 'slipway-docker-'));
const socket = join(dir, 'podman.sock');
const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env: containerToolEnv(), stdio: 'inherit' });
after(async () => {
  service.kill('SIGTERM');
  await rm(dir, { recursive: true, force: true });
});
process.env.DOCKER_HOST = `unix://${socket}`;
// The socket appears once the service listens; `docker version` answers once it serves.
for (let i = 0; !existsSync(socket) || (await runTool('docker', ['version'])).exitCode !== 0; i++) {
  if (i > 200 || service.exitCode !== null) throw new Error(`podman system service did not start on ${socket}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
}

runBuilderContract(new DockerBuilder());
