// A throwaway PostgreSQL cluster for tests: initdb in a temp dir as the `postgres` user
// Debian's package creates (the server refuses to run as root), listening on a free
// loopback port with trust auth, removed by stop(). C locale, so text sorts byte-wise as on
// SQLite (ISO times and ids compare the same on both).
import { mkdtemp, rm, chown } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOrThrow } from '../exec/run.ts';

const bin = '/usr/lib/postgresql/15/bin';

export interface TestPostgres {
  /** A new, empty database on the cluster each call. */
  database(): Promise<string>;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = await mkdtemp(join(tmpdir(), 'slipway-pg-'));
  const { uid, gid } = await postgresUser();
  await chown(dir, uid, gid);
  const data = join(dir, 'data');
  const port = await freePort();
  const as = (argv: string[]) => runOrThrow(['runuser', '-u', 'postgres', '--', ...argv], { cwd: dir });
  await as([`${bin}/initdb`, '-D', data, '--locale=C', '-E', 'UTF8', '-A', 'trust', '-U', 'postgres']);
  await as([`${bin}/pg_ctl`, '-D', data, '-l', join(dir, 'log'), '-w', '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, 'start']);
  let n = 0;
  return {
    async database() {
      const name = `slipway_${process.pid}_${++n}`;
      await as([`${bin}/createdb`, '-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', name]);
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      await as([`${bin}/pg_ctl`, '-D', data, '-m', 'immediate', '-w', 'stop']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const id = (flag: string) => runOrThrow(['id', flag, 'postgres']).then((r) => Number(r.stdout.trim()));
  return { uid: await id('-u'), gid: await id('-g') };
}
