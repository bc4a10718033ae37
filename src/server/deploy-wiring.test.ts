// The composition root's deploy registries match the folders: every strategy file is
// registered under the name deploy.yml uses, and every target folder under its scheme.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { parseDeployConfig } from '../deploy/config/parse-deploy-config.ts';
import { ContainerEngine } from '../deploy/engine/container-engine.ts';
import { LocalShell } from '../deploy/targets/local/local-shell.ts';
import type { Store } from '../store/store.ts';
import { deployStrategies, deployTargets, localProxies } from './deploy-wiring.ts';

const deployDir = new URL('../deploy/', import.meta.url);
// The strategies' shared parts, not strategies.
const shared = ['rollout.ts', 'strategy.ts', 'every-host.ts'];

test('every file under deploy/strategies/ is a registered strategy that deploy.yml accepts', () => {
  const files = readdirSync(new URL('strategies/', deployDir)).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !shared.includes(f));
  const names = [...deployStrategies().keys()];
  assert.deepEqual(names.sort(), files.map((f) => f.replace(/\.ts$/, '')).sort());
  for (const name of names) {
    const { diagnostics } = parseDeployConfig('deploy.yml', `service: s\nimage: s\nport: 80\nenvironments:\n  dev: { hosts: [local], strategy: ${name} }\n`);
    assert.deepEqual(diagnostics, [], name);
  }
});

test('every folder under deploy/targets/ is a registered target, under its host scheme', () => {
  const folders = readdirSync(new URL('targets/', deployDir), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
  // Nothing is connected or started until a deployment opens a host.
  const engine = new ContainerEngine({ shell: new LocalShell() });
  const targets = deployTargets({
    store: {} as Store,
    local: { engine, proxies: localProxies({ engine, dataDir: '/nonexistent', instance: 'test' }) },
    registryHost: '127.0.0.1:1',
    instance: 'test',
    dataDir: '/nonexistent',
  });
  assert.deepEqual([...targets.keys()].sort(), folders.sort());
});
