import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkContainerOptions } from './container-options.ts';
import { parseWorkflow } from './parse-workflow.ts';

const refused = (text: string, owner: 'container' | 'service' = 'container', extra: string[] = []) =>
  checkContainerOptions(text, owner, extra).refusals.map((r) => r.option);

test('options that affect only the container pass, in every spelling docker accepts', () => {
  const text = `-e A=1 -eB=2 --env=C=3 --user 1000:1000 -w /src --cpus 2 --memory=1g -m 512m --shm-size 1g --hostname h
    --health-cmd "pg_isready -U x" --health-interval 1s --tmpfs /run --mount type=tmpfs,target=/t -v /anon --init -it`;
  assert.deepEqual(refused(text), []);
  assert.deepEqual(checkContainerOptions('--health-cmd "a b"', 'service').words, ['--health-cmd', 'a b']);
});

test('each escape is refused by name, with or without `=`, in short and long form', () => {
  assert.deepEqual(refused('--privileged -v /srv/data:/x --volume=/:/h --cap-add=ALL --network host --pid=host --userns host --security-opt label=disable --device /dev/fuse'),
    ['--privileged', '-v /srv/data:/x', '--volume /:/h', '--cap-add ALL', '--network host', '--pid host', '--userns host', '--security-opt label=disable', '--device /dev/fuse']);
  assert.deepEqual(refused('-itv/:/h'), ['-v /:/h']);
  assert.match(checkContainerOptions('--privileged', 'container').refusals[0]!.message, /^--privileged is not allowed \(.+\); an admin can allow it with runner\.allowOptions$/);
});

test('the job container keeps its entrypoint; a service may choose its own command', () => {
  assert.deepEqual(refused('--entrypoint sh', 'container'), ['--entrypoint sh']);
  assert.deepEqual(refused('--entrypoint sh', 'service'), []);
});

test('an unknown option is refused with its value, and does not swallow the next option', () => {
  assert.deepEqual(refused('--oom-score-adj -1000 --privileged'), ['--oom-score-adj -1000', '--privileged']);
  assert.deepEqual(refused('--mystery --cpus 1 image'), ['--mystery', 'image']);
  assert.deepEqual(refused('--cpus'), ['--cpus']);
  assert.deepEqual(refused(`--health-cmd 'x`), ['']);
});

test('runner.allowOptions lets the admin allow an option, in long or short form', () => {
  assert.deepEqual(refused('--privileged -v /srv:/srv --device /dev/kvm', 'container', ['--privileged', '-v']), ['--device /dev/kvm']);
  assert.deepEqual(refused('--volume /srv:/srv', 'service', ['-v']), []);
});

test('the parser reports refusals at the options value, and takes the admin\'s allow-list', () => {
  const text = 'on: push\njobs:\n  a:\n    runs-on: x\n    container: { image: i, options: --privileged }\n    steps: [{ run: "true" }]\n';
  const strict = parseWorkflow('w.yml', text);
  assert.equal(strict.workflow, undefined);
  assert.deepEqual(strict.diagnostics.map((d) => [d.line, d.column, d.path]), [[5, 37, 'jobs.a.container.options']]);
  assert.match(strict.diagnostics[0]!.message, /^--privileged is not allowed/);
  assert.equal(parseWorkflow('w.yml', text, { allowOptions: ['--privileged'] }).workflow?.jobs[0]?.container?.options, '--privileged');
});
