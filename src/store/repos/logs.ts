import type { Db } from '../database.ts';
import { now } from './time.ts';

export interface LogChunk {
  seq: number;
  text: string;
  created_at: string;
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
