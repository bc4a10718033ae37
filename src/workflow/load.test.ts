import assert from 'node:assert/strict';
import { test } from 'node:test';
import { workflowFileNames } from './load.ts';

void test('.slipway/workflows wins when it has any workflow file', () => {
  assert.deepEqual(
    workflowFileNames(['.slipway/workflows/z.yaml', '.slipway/workflows/a.yml', '.slipway/workflows/notes.txt'], ['.github/workflows/ci.yml']),
    { dir: '.slipway/workflows', files: ['.slipway/workflows/a.yml', '.slipway/workflows/z.yaml'] },
  );
});

void test('falls back to .github/workflows; accepts bare names; ignores other files', () => {
  assert.deepEqual(workflowFileNames(['README.md'], ['ci.yml', 'deploy.yaml', 'x.json', 'sub/y.yml']), {
    dir: '.github/workflows', files: ['.github/workflows/ci.yml', '.github/workflows/deploy.yaml'],
  });
  assert.deepEqual(workflowFileNames([], []), { dir: '.github/workflows', files: [] });
});
