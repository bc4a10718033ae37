import assert from 'node:assert/strict';
import { test } from 'node:test';
import { environmentsForBranch } from './deploy-config.ts';
import { parseDeployConfig } from './parse-deploy-config.ts';
import { branchAllowed } from './branch-policy.ts';

const file = '.slipway/deploy.yml';

const full = `service: hello
image: hello
port: 8080
healthcheck: { path: /up, interval: 500ms, timeout: 2s, deadline: 1m }
drain_timeout: 3s
env:
  clear: { LOG_LEVEL: info, WORKERS: 4, DEBUG: false }
  secret: [DATABASE_URL]
environments:
  dev:        { branch: develop, hosts: [local], publish: 8081 }
  staging:    { branch: main, hosts: ["ssh://deploy@staging-1"] }
  production:
    promote_from: staging
    approval: { required: 1, not_author: true }
    hosts: ["ssh://deploy@web-1:2222", "ssh://deploy@[2001:db8::1]"]
    strategy: rolling
`;

/** Parses and returns the diagnostics as `line:col path: message` strings. */
/** The first three lines of the deploy.yml the error tests write (so their line numbers start at 4). */
const serviceA = 'service: a\nimage: a\nport: 80\n';

function errors(text: string): string[] {
  const { config, diagnostics } = parseDeployConfig(file, text);
  assert.equal(config, undefined, 'an invalid file gives no config');
  for (const d of diagnostics) assert.equal(d.file, file);
  return diagnostics.map((d) => `${d.line}:${d.column} ${d.path}: ${d.message}`);
}

void test('a full file parses into typed, frozen values', () => {
  const { config, diagnostics } = parseDeployConfig(file, full);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config, {
    service: 'hello',
    image: 'hello',
    port: 8080,
    healthcheck: { path: '/up', intervalMs: 500, timeoutMs: 2000, deadlineMs: 60_000 },
    drainTimeoutMs: 3000,
    stopTimeoutMs: 10_000,
    env: { clear: { LOG_LEVEL: 'info', WORKERS: '4', DEBUG: 'false' }, secret: ['DATABASE_URL'] },
    environments: [
      { name: 'dev', branch: 'develop', hosts: ['local'], publish: 8081, strategy: 'blue-green' },
      { name: 'staging', branch: 'main', hosts: ['ssh://deploy@staging-1'], strategy: 'blue-green' },
      {
        name: 'production',
        promoteFrom: 'staging',
        approval: { required: 1, notAuthor: true },
        hosts: ['ssh://deploy@web-1:2222', 'ssh://deploy@[2001:db8::1]'],
        strategy: 'rolling',
      },
    ],
  });
  assert.ok(Object.isFrozen(config) && Object.isFrozen(config.environments[0]) && Object.isFrozen(config.env.clear));
});

void test('defaults: health check, drain timeout, env, strategy', () => {
  const { config } = parseDeployConfig(file, 'service: a\nimage: 127.0.0.1:8080/team/a:1.0\nport: 80\nenvironments:\n  dev: { hosts: [local], strategy: recreate }\n');
  assert.ok(config);
  assert.deepEqual(config.healthcheck, { path: '/up', intervalMs: 1000, timeoutMs: 5000, deadlineMs: 30_000 });
  assert.equal(config.drainTimeoutMs, 10_000);
  assert.deepEqual(config.env, { clear: {}, secret: [] });
  assert.equal(config.environments[0]?.strategy, 'recreate');
});

void test('environmentsForBranch matches branch names and full refs', () => {
  const { config } = parseDeployConfig(file, full);
  assert.ok(config);
  assert.deepEqual(environmentsForBranch(config, 'main').map((e) => e.name), ['staging']);
  assert.deepEqual(environmentsForBranch(config, 'refs/heads/develop').map((e) => e.name), ['dev']);
  assert.deepEqual(environmentsForBranch(config, 'feature/x'), []);
});

void test('YAML syntax errors and duplicate keys are reported with positions', () => {
  const syntax = errors('service: hello\nport: [8080\n');
  assert.equal(syntax.length, 1);
  assert.match(syntax[0]!, /^3:1 : Flow sequence .* must .* end with a \]/);
  assert.match(errors('service: a\nservice: b\n')[0]!, /^2:1 : Map keys must be unique/);
});

void test('the document must be a mapping', () => {
  assert.deepEqual(errors(''), ['1:1 : expected a mapping, found nothing']);
  assert.deepEqual(errors('- a\n'), ['1:1 : expected a mapping, found a list']);
});

void test('missing required keys are all reported at the map', () => {
  assert.deepEqual(errors('healthcheck: {}\n'), [
    '1:1 service: missing required key "service"',
    '1:1 image: missing required key "image"',
    '1:1 port: missing required key "port"',
    '1:1 environments: missing required key "environments"',
  ]);
});

void test('unknown keys are errors with a did-you-mean suggestion', () => {
  const text = full.replace('drain_timeout: 3s', 'drain_timout: 3s').replace('promote_from: staging', 'promoteFrom: staging').replace('{ path: /up,', '{ path: /up, colour: red,');
  assert.deepEqual(errors(text), [
    '4:27 healthcheck.colour: unknown key "colour" (allowed: path, interval, timeout, deadline)',
    '5:1 drain_timout: unknown key "drain_timout"; did you mean "drain_timeout"?',
    '13:5 environments.production.promoteFrom: unknown key "promoteFrom"; did you mean "promote_from"?',
  ]);
});

void test('wrong types and bad values: every problem, at its value', () => {
  const text = `service: Hello World
image: "Not An Image!"
port: 70000
healthcheck: { path: up, interval: 1h, timeout: 0s, deadline: soon }
drain_timeout: 10
env:
  clear: { "1BAD": x, GOOD: [1], MULTI: "a\\nb" }
  secret: [DATABASE_URL, DATABASE_URL, GOOD2, "bad name"]
environments:
  dev: { branch: "bad..branch", hosts: [local, local, "ftp://x", "ssh://host-without-user"], publish: 0, strategy: canary }
  prod: { branch: main, promote_from: dev, approval: { required: 0, not_author: "yes" }, hosts: [] }
`;
  assert.deepEqual(errors(text), [
    '1:10 service: "Hello World" is not a valid name (lowercase letters, digits, ".", "_", "-")',
    '2:8 image: "Not An Image!" is not an image repository or reference',
    '3:7 port: 70000 is out of range (1–65535)',
    '4:22 healthcheck.path: "up" is not a path starting with "/"',
    '4:36 healthcheck.interval: expected a duration such as 500ms, 5s or 2m, found "1h"',
    '4:49 healthcheck.timeout: must be greater than zero',
    '4:63 healthcheck.deadline: expected a duration such as 500ms, 5s or 2m, found "soon"',
    '5:16 drain_timeout: expected a duration such as 500ms, 5s or 2m, found number 10',
    '7:12 env.clear.1BAD: "1BAD" is not a valid environment variable name',
    '7:29 env.clear.GOOD: expected a string, number or boolean, found a list',
    '7:41 env.clear.MULTI: values cannot span lines (podman --env-file holds one KEY=value per line)',
    '8:26 env.secret[1]: "DATABASE_URL" is listed twice',
    '8:47 env.secret[3]: "bad name" is not a valid environment variable name',
    '10:18 environments.dev.branch: "bad..branch" is not a valid branch name',
    '10:48 environments.dev.hosts[1]: host "local" is listed twice',
    '10:55 environments.dev.hosts[2]: "ftp://x" is not "local" or ssh://user@host[:port]',
    '10:66 environments.dev.hosts[3]: "ssh://host-without-user" is not "local" or ssh://user@host[:port]',
    '10:103 environments.dev.publish: 0 is out of range (1–65535)',
    '10:116 environments.dev.strategy: "canary" is not one of blue-green, recreate, rolling',
    '11:25 environments.prod.promote_from: use either branch (deploy pushes) or promote_from (promote releases), not both',
    '11:66 environments.prod.approval.required: 0 is out of range (1–100)',
    '11:81 environments.prod.approval.not_author: expected true or false, found "yes"',
    '11:97 environments.prod.hosts: at least one host is required',
  ]);
});

void test('cross-references: promote_from targets, cycles, published ports, secrets vs clear', () => {
  const text = `${serviceA}env: { clear: { TOKEN: x }, secret: [TOKEN] }
environments:
  a: { hosts: [local], promote_from: b, publish: 9000 }
  b: { hosts: [local], promote_from: a, publish: 9000 }
  c: { hosts: [local], promote_from: nowhere }
  d: { hosts: [local], approval: { not_author: true } }
`;
  assert.deepEqual(errors(text), [
    '4:38 env.secret[0]: "TOKEN" is also set in env.clear',
    '6:38 environments.a.promote_from: promotion cycle through "a"',
    '7:38 environments.b.promote_from: promotion cycle through "b"',
    '7:50 environments.b.publish: port 9000 is already published by "a" on host local',
    '8:38 environments.c.promote_from: unknown environment "nowhere" (defined: a, b, c, d)',
    '9:34 environments.d.approval.required: missing required key "required" (or "wait", for a timer alone)',
  ]);
});

void test('approval.wait (alone or with approvals) and branches (names and globs)', () => {
  const text = `${serviceA}environments:
  prod:
    branches: [main, "release/*", "hotfix/**"]
    approval: { required: 2, not_author: true, wait: 10m }
    hosts: [local]
  soak: { branch: main, branches: [main], approval: { wait: 30s }, hosts: [local] }
`;
  const { config, diagnostics } = parseDeployConfig(file, text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config?.environments, [
    { name: 'prod', branches: ['main', 'release/*', 'hotfix/**'], approval: { required: 2, notAuthor: true, waitMs: 600_000 }, hosts: ['local'], strategy: 'blue-green' },
    { name: 'soak', branch: 'main', branches: ['main'], approval: { required: 0, notAuthor: false, waitMs: 30_000 }, hosts: ['local'], strategy: 'blue-green' },
  ]);
  const branches = config!.environments[0]!.branches!;
  assert.deepEqual(
    ['main', 'release/1.2', 'release/1.2/rc', 'hotfix/a/b', 'mainline', 'feature/x'].map((b) => branchAllowed(branches, b)),
    [true, true, false, true, false, false],
  );
});

void test('approval.wait and branches: bad values, and a branch the environment itself would not allow', () => {
  const text = `${serviceA}environments:
  a: { hosts: [local], approval: { not_author: true, wait: 1m } }
  b: { hosts: [local], approval: { required: 1, wait: 43201m } }
  c: { hosts: [local], approval: { required: 1, wait: soon } }
  d: { branch: develop, branches: [main, "release/*"], hosts: [local] }
  e: { hosts: [local], branches: [] }
  f: { hosts: [local], branches: ["bad..x", main, main, "with space"] }
`;
  assert.deepEqual(errors(text), [
    '5:36 environments.a.approval.not_author: not_author applies to approvals: set "required" too',
    '6:55 environments.b.approval.wait: at most 43200m (30 days)',
    '7:55 environments.c.approval.wait: expected a duration such as 500ms, 5s or 2m, found "soon"',
    `8:35 environments.d.branches: the environment's own branch "develop" is not among main, release/*`,
    '9:34 environments.e.branches: at least one branch is required (leave "branches" out to allow any)',
    '10:35 environments.f.branches[0]: "bad..x" is not a branch name or pattern (release/*)',
    '10:51 environments.f.branches[2]: "main" is listed twice',
    '10:57 environments.f.branches[3]: "with space" is not a branch name or pattern (release/*)',
  ]);
});

void test('deploy.yml is read within limits: aliases are refused, and so is a file past the size limit', () => {
  assert.deepEqual(errors('service: &s hello\nimage: *s\nport: 80\nenvironments: { dev: { hosts: [local] } }\n'), [
    '2:8 : aliases (`*s`) are not allowed in this file',
  ]);
  const big = `service: a\nimage: a\nport: 80\nenvironments: { dev: { hosts: [local] } }\n#${'x'.repeat(256 * 1024)}\n`;
  assert.deepEqual(errors(big), [`1:1 : the file is ${big.length} bytes; it exceeds the limit of 262144 bytes`]);
});

void test('image: full references are checked by the registry reference grammar', () => {
  const image = (ref: string) => parseDeployConfig(file, `service: a\nimage: "${ref}"\nport: 80\nenvironments: { dev: { hosts: [local] } }\n`).diagnostics.map((d) => d.message);
  assert.deepEqual(image('registry.example.com:5000/team/hello:1.2'), []);
  assert.deepEqual(image(`team/hello@sha256:${'a'.repeat(64)}`), []);
  assert.deepEqual(image('Team/Hello'), ['"Team/Hello" is not an image repository or reference']);
  assert.deepEqual(image('hello:'), ['"hello:" is not an image repository or reference']);
});

void test('branches has the syntax of on.push.branches: ?, +, [ ] and ! exclusions', () => {
  const text = `${serviceA}environments:
  prod: { hosts: [local], branches: ["release/**", "!release/**-rc", "v[12].[0-9]+", "hotfix-?"] }
  bad: { hosts: [local], branches: ["[z-a]"] }
`;
  assert.deepEqual(errors(text), [
    '6:36 environments.bad.branches: at least one branch is required (leave "branches" out to allow any)',
    '6:37 environments.bad.branches[0]: "[z-a]" is not a branch name or pattern (release/*)',
  ]);
  const { config } = parseDeployConfig(file, text.replace(/ {2}bad:.*\n/, ''));
  const branches = config!.environments[0]!.branches!;
  assert.deepEqual(
    ['release/1.2', 'release/1.2-rc', 'v1.10', 'v3.1', 'hotfix', 'hotfix-', 'hotfix-1'].map((b) => branchAllowed(branches, b)),
    [true, false, true, false, true, true, false],
  );
});

void test('keys must be plain strings', () => {
  assert.deepEqual(errors('service: a\nimage: a\nport: 80\nenvironments:\n  1: { hosts: [local] }\n  dev: { hosts: [local] }\n'), [
    '5:3 environments: keys must be plain strings',
  ]);
});

void test('approval.approvers: user names, each once, at least as many as the approvals required', () => {
  const env = (approval: string) => `service: a\nimage: a\nport: 80\nenvironments:\n  prod: { hosts: [local], approval: ${approval} }\n`;
  const { config } = parseDeployConfig(file, env('{ required: 2, approvers: [bob, erin@example.com] }'));
  assert.deepEqual(config?.environments[0]?.approval, { required: 2, notAuthor: false, approvers: ['bob', 'erin@example.com'] });
  assert.deepEqual(errors(env('{ required: 2, approvers: [bob, bob, "no spaces"] }')), [
    '5:69 environments.prod.approval.approvers[1]: "bob" is listed twice',
    '5:74 environments.prod.approval.approvers[2]: "no spaces" is not a user name',
  ]);
  assert.deepEqual(errors(env('{ required: 3, approvers: [bob, carol] }')), ['5:63 environments.prod.approval.approvers: 2 approver(s) cannot give 3 approvals from different people']);
});
