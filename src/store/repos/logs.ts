import { sql } from 'kysely';
import { isSlipwayError } from '../../core/errors.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import type { Db } from '../database.ts';
import { logArchive, type LogChunk } from './log-archive.ts';
import { streamEnded } from './log-streams.ts';
import { now } from './time.ts';

export type { LogChunk } from './log-archive.ts';

export { jobLogStream, parseJobLogStream } from './log-streams.ts';

/**
 * Logs are chunks in order per stream (`job:<id>`, `deployment:<id>`). The writer numbers
 * its chunks; a chunk sent twice (a retried upload) is stored once, so no line is doubled.
 * With an object store (`objects`), an ended stream's chunks move into one archived object
 * (log-archive.ts); every read below gives the same chunks before and after that move.
 */
export function logsRepo(db: Db, objects?: StorageDriver) {
  const archives = objects && logArchive(db, objects);
  const rows = (stream: string, afterSeq: number, limit?: number): Promise<LogChunk[]> => {
    let q = db.selectFrom('log_chunks').select(['seq', 'text', 'created_at']).where('stream', '=', stream).where('seq', '>', afterSeq).orderBy('seq');
    if (limit !== undefined) q = q.limit(limit);
    return q.execute();
  };

  /** Chunks after `afterSeq`, in order; at most `limit` of them (readers page through big logs). */
  async function read(stream: string, afterSeq = -1, limit?: number): Promise<LogChunk[]> {
    if (!archives) return rows(stream, afterSeq, limit);
    // The rows are read before the archive is looked up: an archive recorded in between
    // (in one transaction with the rows' removal) is seen, and the read is done from it.
    for (let tries = 0; ; tries++) {
      const found = await rows(stream, afterSeq, limit);
      const a = await archives.lookup(stream);
      if (!a) return found;
      try {
        const old = await archives.chunks(a, afterSeq, limit);
        const room = limit === undefined ? undefined : limit - old.length;
        const tail = room === 0 ? [] : await rows(stream, Math.max(afterSeq, a.lastSeq), room);
        // A longer archive recorded meanwhile may have taken rows this read looked for.
        if ((await archives.lookup(stream))?.lastSeq === a.lastSeq) return [...old, ...tail];
      } catch (err) {
        // A superseded archive's object is removed once the longer one is recorded: read that one.
        if (!isSlipwayError(err, 'BLOB_UNKNOWN') || tries >= 3) throw err;
      }
    }
  }

  return {
    /**
     * Stores a chunk; false when it was stored before (in the database or in the stream's
     * archive) or, with `heldBy`, when that runner does not hold that job now, running: a
     * job's log is closed once its result is reported (a late or forged chunk is not stored).
     */
    async append(stream: string, seq: number, text: string, heldBy?: { jobId: string; runner: string }): Promise<boolean> {
      // One statement: the archive check, the runner's hold and the insert cannot be split by
      // an archiving pass or a lease moving to another runner.
      const held = heldBy ? sql`and exists (select 1 from jobs where id = ${heldBy.jobId} and runner = ${heldBy.runner} and status = 'running')` : sql``;
      const r = await sql`insert into log_chunks (stream, seq, text, created_at)
        select cast(${stream} as text), cast(${seq} as integer), cast(${text} as text), cast(${now()} as text)
        where not exists (select 1 from log_archives where stream = ${stream} and last_seq >= ${seq}) ${held}
        on conflict (stream, seq) do nothing`.execute(db);
      return Number(r.numAffectedRows ?? 0n) > 0;
    },
    read,
    /**
     * How many `##[group]`s the stream leaves open: an interrupted attempt's log is closed
     * before its marker line. Groups nest (each step's log is a group; `::group::` makes
     * more inside it). Only chunks holding a marker are read, a page at a time.
     */
    async openGroups(stream: string): Promise<number> {
      let depth = 0;
      const count = (text: string) => {
        for (const m of text.matchAll(/^##\[(group|endgroup)\]/gm)) depth = m[1] === 'group' ? depth + 1 : Math.max(0, depth - 1);
      };
      if (archives && (await archives.lookup(stream))) {
        for (let after = -1; ; ) {
          const page = await read(stream, after, 32);
          for (const c of page) count(c.text);
          if (page.length < 32) return depth;
          after = page.at(-1)!.seq;
        }
      }
      for (let after = -1; ; ) {
        const page = await db
          .selectFrom('log_chunks')
          .select(['seq', 'text'])
          .where('stream', '=', stream)
          .where('seq', '>', after)
          .where((eb) => eb.or([eb('text', 'like', '%##[group]%'), eb('text', 'like', '%##[endgroup]%')]))
          .orderBy('seq')
          .limit(32)
          .execute();
        for (const c of page) count(c.text);
        if (page.length < 32) return depth;
        after = page.at(-1)!.seq;
      }
    },
    async lastSeq(stream: string): Promise<number> {
      const row = await db
        .selectFrom('log_chunks')
        .select((eb) => eb.fn.max('seq').as('m'))
        .where('stream', '=', stream)
        .executeTakeFirst();
      const inRows = row?.m == null ? -1 : Number(row.m);
      return Math.max(inRows, (archives && (await archives.lookup(stream))?.lastSeq) ?? -1);
    },
    /** Whether ended logs move to an object store (`archive` does anything). */
    archiving: archives !== undefined,
    /** Whether the stream can get no more chunks (its job attempt or deployment ended). */
    ended: (stream: string): Promise<boolean> => streamEnded(db, stream),
    /** Moves an ended stream's chunks into the object store; false without one, or with nothing to move. */
    archive: async (stream: string): Promise<boolean> => (archives ? archives.archive(stream) : false),
    /** Archives every ended stream with chunks still in the database (start-up); resolves to how many. */
    archiveEnded: async (): Promise<number> => (archives ? archives.archiveEnded() : 0),
  };
}
