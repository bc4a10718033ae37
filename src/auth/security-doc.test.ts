// docs/security.md's role tables must say what permissions.ts does: every permission once,
// with the roles that carry it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { permissions, projectActionsOf, type Action } from './permissions.ts';
import { projectRoles } from './roles.ts';

const doc = readFileSync(new URL('../../docs/security.md', import.meta.url), 'utf8');
const rows = new Map<string, string[]>();
for (const line of doc.split('\n')) {
  const m = /^\| `([a-z._]+)` \|(.*)\|$/.exec(line);
  if (!m) continue;
  assert.ok(!rows.has(m[1]!), `${m[1]} appears twice`);
  rows.set(m[1]!, m[2]!.split('|').map((c) => c.trim()));
}

test('docs/security.md lists every permission, and only those', () => {
  assert.deepEqual([...rows.keys()].sort(), Object.keys(permissions).sort());
});

test('the project table marks exactly the roles that carry each permission, and what is public', () => {
  for (const action of Object.keys(permissions) as Action[]) {
    const p = permissions[action];
    const cells = rows.get(action)!;
    if ('project' in p) {
      const marks = [...projectRoles, 'public' as const].map((r) => (projectActionsOf(r).includes(action) ? 'yes' : '—'));
      assert.deepEqual(cells.slice(1), marks, action);
      assert.equal(cells[0], p.does.replaceAll('{env}', 'E'), action);
    } else {
      assert.deepEqual(cells, [p.does, p.instance.join(', ')], action);
    }
  }
});
