import type { Db } from '../database.ts';
import { now } from './time.ts';

export interface LogChunk {
  seq: number;
  text: string;
  created_at: string;
}

/**
 * The log stream of one attempt of a job: attempt 1 is `job:<id>` (as before attempts had
 * streams of their own), a re-run after a crash or a lost runner `job:<id>:<attempt>`.
 */
export function jobLogStream(jobId: string, attempt: number): string {
  return attempt <= 1 ? `job:${jobId}` : `job:${jobId}:${attempt}`;
}

/** The job and attempt of a job log stream; undefined for other streams. */
export function parseJobLogStream(stream: string): { jobId: string; attempt: number } | undefined {
  const m = /^job:([^:]+)(?::(\d+))?$/.exec(stream);
  return m ? { jobId: m[1]!, attempt: m[2] === undefined ? 1 : Number(m[2]) } : undefined;
}

/**
 * Logs are chunks in order per stream (`job:<id>`, `deployment:<id>`). The writer numbers
 * its chunks; a chunk sent twice (a retried upload) is stored once, so no line is doubled.
 */
export function logsRepo(db: Db) {
  return {
    async append(stream: string, seq: number, text: string): Promise<boolean> {
      const r = await db
        .insertInto('log_chunks')
        .values({ stream, seq, text, created_at: now() })
        .onConflict((oc) => oc.columns(['stream', 'seq']).doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
    },
    /** Chunks after `afterSeq`, in order; at most `limit` of them (readers page through big logs). */
    async read(stream: string, afterSeq = -1, limit?: number): Promise<LogChunk[]> {
      let q = db.selectFrom('log_chunks').select(['seq', 'text', 'created_at']).where('stream', '=', stream).where('seq', '>', afterSeq).orderBy('seq');
      if (limit !== undefined) q = q.limit(limit);
      return q.execute();
    },
    /**
     * How many `##[group]`s the stream leaves open: an interrupted attempt's log is closed
     * before its marker line. Groups nest (each step's log is a group; `::group::` makes
     * more inside it). Only chunks holding a marker are read, a page at a time.
     */
    async openGroups(stream: string): Promise<number> {
      let depth = 0;
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
        for (const c of page) for (const m of c.text.matchAll(/^##\[(group|endgroup)\]/gm)) depth = m[1] === 'group' ? depth + 1 : Math.max(0, depth - 1);
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
      return row?.m == null ? -1 : Number(row.m);
    },
  };
}
