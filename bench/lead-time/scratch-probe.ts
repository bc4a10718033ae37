import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from './server.ts';
import { helloWorkingCopy, freePort, commit, push, waitForAnswer, editSite } from './workspace.ts';
const data = await mkdtemp(join(tmpdir(), 'slipway-bench-data-'));
const s = await startServer(data);
const pub = await freePort();
const dir = await helloWorkingCopy(pub);
for (let i = 0; i < 2; i++) {
  if (i) await editSite(dir, i);
  const sha = await commit(dir, `v${i}`);
  const t0 = await push(dir, s.url, s.token, 'hello', 'develop');
  const t1 = await waitForAnswer(`http://127.0.0.1:${pub}/up`, sha, 120000);
  console.log('lead', t1 - t0, new Date(t0).toISOString(), new Date(t1).toISOString());
  await new Promise((r) => setTimeout(r, 3000));
  const runs = await s.api<any[]>('/api/runs?project=hello');
  console.log(JSON.stringify(runs[0], null, 1));
  console.log(await s.text(`/api/runs/${runs[0].id}/logs`));
  const ds = await s.api<any[]>('/api/deployments?project=hello');
  console.log(JSON.stringify(ds[0], null, 1));
  console.log(await s.text(`/api/deployments/${ds[0].id}/logs`));
}
console.log(s.memory());
console.log(await s.stop());
console.log(s.output.join(''));
console.log(data, dir);
