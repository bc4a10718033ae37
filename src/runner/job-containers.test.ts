import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evaluateJobContainers } from './job-containers.ts';

test('container and services are evaluated with the job context; an empty service image leaves the service out', () => {
  const values = { matrix: { pg: '16' }, secrets: { PASS: 's3cret' }, github: { actor: 'mona' }, env: {}, runner: { os: 'Linux' } };
  const out = evaluateJobContainers({
    container: {
      image: 'node:${{ matrix.pg }}', env: { OS: '${{ runner.os }}' },
      credentials: { username: '${{ github.actor }}', password: '${{ secrets.PASS }}' }, ports: ['80'], volumes: ['v:/v'],
    },
    services: {
      db: { image: 'postgres:${{ matrix.pg }}', env: {}, ports: ['5432'], entrypoint: 'pg-${{ matrix.pg }}', command: '-c x=${{ matrix.pg }}' },
      off: { image: "${{ matrix.pg == '1' && 'redis' || '' }}", env: {}, ports: [] },
    },
  }, values);
  assert.deepEqual(out.container, {
    image: 'node:16', env: { OS: 'Linux' }, credentials: { username: 'mona', password: 's3cret' }, ports: ['80'], volumes: ['v:/v'],
  });
  assert.deepEqual(Object.keys(out.services), ['db']);
  assert.deepEqual(out.services.db, { image: 'postgres:16', env: {}, ports: ['5432'], entrypoint: 'pg-16', command: '-c x=16' });
  assert.deepEqual(out.secrets, ['s3cret']);
});
