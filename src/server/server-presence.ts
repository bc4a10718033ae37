// This server's row among the live servers on the database (store/repos/servers.ts, 0024),
// renewed every few seconds. At start-up it says whether another server is at work, so
// recovery that treats unfinished work as a crash's leftovers (pending pushes, deployments
// cut off, partial registry writes) does not take that server's live work for them.
import { hostname } from 'node:os';
import type { Store } from '../store/store.ts';
import type { ServerRow } from '../store/repos/servers.ts';
import { newId } from '../core/ids.ts';
import { pidAlive } from '../exec/kill.ts';

const beatMs = 5_000;
/** A server not seen for this long is gone (three missed beats). */
export const presenceWindowMs = 3 * beatMs;

export interface ServerPresence {
  readonly id: string;
  /** Writes this server's row and answers the other live servers. */
  start(): Promise<ServerRow[]>;
  /** The URL it serves, once known. */
  setUrl(url: string): void;
  stop(): Promise<void>;
}

/** `shared`: the database may have other servers (PostgreSQL); on SQLite this server is alone by construction. */
export function serverPresence(store: Store, log: (message: string) => void, shared: boolean): ServerPresence {
  const row = { id: newId('srv'), host: hostname(), pid: process.pid, url: '', started_at: new Date().toISOString() };
  let timer: NodeJS.Timeout | undefined;
  const beat = () => store.servers.beat(row);
  return {
    id: row.id,
    async start() {
      if (!shared) return [];
      await beat();
      timer = setInterval(() => void beat().catch((err: unknown) => log(`server presence: ${(err as Error).message}`)), beatMs);
      timer.unref();
      const others = await store.servers.othersAlive(row.id, presenceWindowMs);
      // A row of this host whose process is gone is a server killed a moment ago (this one's
      // previous life, most often): not a peer, or a restart after a crash would recover nothing.
      const dead = others.filter((o) => o.host === row.host && !pidAlive(o.pid));
      for (const o of dead) await store.servers.remove(o.id);
      return others.filter((o) => !dead.includes(o));
    },
    setUrl(url) {
      row.url = url;
    },
    async stop() {
      clearInterval(timer);
      if (shared) await store.servers.remove(row.id);
    },
  };
}
