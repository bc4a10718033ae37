import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { errorCodes, SlipwayError, formatDiagnostic } from './errors.ts';

test('every error code is documented in docs/errors.md with its status', () => {
  const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
  for (const [code, { status }] of Object.entries(errorCodes)) {
    assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${status} \\|`), `${code} (${status}) missing from docs/errors.md`);
  }
});

test('errors carry their code and status', () => {
  const e = new SlipwayError('RUN_UNKNOWN', 'run x not found');
  assert.equal(e.status, 404);
  assert.equal(e.code, 'RUN_UNKNOWN');
  assert.equal(new SlipwayError('BAD_REQUEST').message, 'bad request');
});

test('diagnostics format as file:line:column: path: message', () => {
  assert.equal(formatDiagnostic({ file: 'a.yml', line: 3, column: 5, path: 'jobs.x', message: 'bad' }), 'a.yml:3:5: jobs.x: bad');
});
