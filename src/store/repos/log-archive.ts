// A log that has ended moves out of the database into one object of the object store
// (src/storage): NDJSON, one chunk per line (`{"seq","at","text"}`), with a row in
// log_archives (migration 0025) holding the object's key, its last seq and a sparse index
// of byte offsets (a chunk at least every 64 KiB), so a reader pages by seq with one ranged
// read. The object is written (durably: the driver's writeAtomic) before the row is
// recorded, and the chunks are deleted only after that: a crash before the record leaves
// the chunks, and the next pass (at start-up) archives them again, idempotently; one after
// it leaves copies that no read uses and the next pass deletes. Each version of an archive has
// its own key (`logs/<stream>/<last seq>.ndjson`), so two servers archiving one stream never
// overwrite each other's object; a later version is the earlier one's bytes plus new chunks.
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { crashPoint } from '../../core/crash-point.ts';
import { KeyedSerial } from '../../core/serial.ts';
import type { StorageDriver } from '../../storage/driver.ts';
import { isValidKey } from '../../storage/key.ts';
import type { Db } from '../database.ts';
import { streamEnded } from './log-streams.ts';
import { now } from './time.ts';

export interface LogChunk {
  seq: number;
  text: string;
  created_at: string;
}

export interface ArchivedLog {
  key: string;
  lastSeq: number;
  chunks: number;
  bytes: number;
  /** `[seq, byte offset]` of some chunks, in order. */
  offsets: [number, number][];
}

const indexEveryBytes = 64 * 1024;
/** Rows read per query while archiving: about 1 MiB of 64 KiB chunks, so no one read holds the event loop (node:sqlite is synchronous). */
const rowsPerPage = 16;

/** The object for `stream`'s archive up to `lastSeq`; a stream name a key cannot hold is hashed. */
export function archiveKey(stream: string, lastSeq: number): string {
  const name = !stream.includes('/') && isValidKey(stream) ? stream : `sha256-${createHash('sha256').update(stream).digest('hex')}`;
  return `logs/${name}/${lastSeq}.ndjson`;
}

const encode = (c: LogChunk): Buffer => Buffer.from(`${JSON.stringify({ seq: c.seq, at: c.created_at, text: c.text })}\n`);

async function* lines(bytes: Readable): AsyncGenerator<string> {
  let rest: Buffer = Buffer.alloc(0);
  for await (const chunk of bytes) {
    let buf: Buffer = rest.length === 0 ? (chunk as Buffer) : Buffer.concat([rest, chunk as Buffer]);
    for (let at = buf.indexOf(10); at >= 0; at = buf.indexOf(10)) {
      yield buf.toString('utf8', 0, at);
      buf = buf.subarray(at + 1);
    }
    rest = buf;
  }
  if (rest.length > 0) yield rest.toString('utf8');
}

export function logArchive(db: Db, storage: StorageDriver) {
  const serial = new KeyedSerial();

  async function lookup(stream: string): Promise<ArchivedLog | undefined> {
    const row = await db.selectFrom('log_archives').selectAll().where('stream', '=', stream).executeTakeFirst();
    return row && { key: row.key, lastSeq: Number(row.last_seq), chunks: Number(row.chunks), bytes: Number(row.bytes), offsets: JSON.parse(row.offsets) as [number, number][] };
  }

  /**
   * Chunks of the archive after `afterSeq`, at most `limit`: ranged reads from the nearest
   * indexed chunk, each ending before the first indexed chunk past those wanted (were the
   * numbering gapless), so a page reads little more than itself; a gap means one more read.
   */
  async function chunks(a: ArchivedLog, afterSeq: number, limit = Number.POSITIVE_INFINITY): Promise<LogChunk[]> {
    if (afterSeq >= a.lastSeq || a.bytes === 0 || limit <= 0) return [];
    let from = 0;
    for (const [seq, offset] of a.offsets) {
      if (seq > afterSeq + 1) break;
      from = offset;
    }
    const out: LogChunk[] = [];
    while (out.length < limit && from < a.bytes) {
      const past = (out.at(-1)?.seq ?? afterSeq) + (limit - out.length);
      const stop = a.offsets.find(([seq, offset]) => offset > from && seq > past);
      const end = stop === undefined ? a.bytes - 1 : stop[1] - 1;
      const bytes = await storage.reader(a.key, { start: from, end });
      try {
        for await (const line of lines(bytes)) {
          const c = JSON.parse(line) as { seq: number; at: string; text: string };
          if (c.seq <= afterSeq) continue;
          out.push({ seq: c.seq, text: c.text, created_at: c.at });
          if (out.length >= limit) break;
        }
      } finally {
        bytes.destroy();
      }
      from = end + 1;
    }
    return out;
  }

  /**
   * Deletes the stream's rows up to `lastSeq`, once its archive is recorded: from then on
   * every read takes those chunks from the archive, so rows still there (a crash in the
   * middle) are unread copies the next pass removes. A few at a time: one statement
   * deleting 100 MB would hold the event loop (node:sqlite is synchronous).
   */
  async function deleteUpTo(stream: string, lastSeq: number): Promise<void> {
    for (;;) {
      const batch = await db.selectFrom('log_chunks').select('seq').where('stream', '=', stream).where('seq', '<=', lastSeq).orderBy('seq').limit(rowsPerPage).execute();
      if (batch.length === 0) return;
      await db.deleteFrom('log_chunks').where('stream', '=', stream).where('seq', '<=', batch.at(-1)!.seq).execute();
    }
  }

  async function archiveNow(stream: string): Promise<boolean> {
    const before = await lookup(stream);
    const from = before?.lastSeq ?? -1;
    const newest = await db.selectFrom('log_chunks').select((eb) => eb.fn.max('seq').as('m')).where('stream', '=', stream).where('seq', '>', from).executeTakeFirst();
    if (newest?.m == null) {
      // Nothing new; rows at or below the archive's end are copies a retried write or a crash left.
      if (before) await deleteUpTo(stream, before.lastSeq);
      return false;
    }
    const last = Number(newest.m);
    const offsets = [...(before?.offsets ?? [])];
    let bytes = before?.bytes ?? 0;
    let count = before?.chunks ?? 0;
    async function* body(): AsyncGenerator<Uint8Array> {
      if (before) yield* (await storage.reader(before.key)) as AsyncIterable<Uint8Array>;
      for (let after = from; ; ) {
        const page = await db.selectFrom('log_chunks').select(['seq', 'text', 'created_at']).where('stream', '=', stream).where('seq', '>', after).where('seq', '<=', last).orderBy('seq').limit(rowsPerPage).execute();
        for (const c of page) {
          if (offsets.length === 0 || bytes - offsets.at(-1)![1] >= indexEveryBytes) offsets.push([c.seq, bytes]);
          const line = encode(c);
          bytes += line.length;
          count++;
          yield line;
        }
        if (page.length < rowsPerPage) return;
        after = page.at(-1)!.seq;
      }
    }
    const key = archiveKey(stream, last);
    await storage.writeAtomic(key, body());
    crashPoint('log-archived');
    const row = { key, last_seq: last, chunks: count, bytes, offsets: JSON.stringify(offsets), archived_at: now() };
    await db.insertInto('log_archives').values({ stream, ...row }).onConflict((oc) => oc.column('stream').doUpdateSet(row).where('log_archives.last_seq', '<', last)).execute();
    await deleteUpTo(stream, last);
    // Another server may have recorded a longer archive meanwhile: then this object is nobody's.
    const kept = await lookup(stream);
    if (kept?.key !== key) await storage.delete(key);
    else if (before && before.key !== key) await storage.delete(before.key);
    return true;
  }

  return {
    lookup,
    chunks,
    /** Moves the stream's chunks into its archive; false when there was nothing to move. One pass per stream at a time. */
    archive: (stream: string): Promise<boolean> => serial.run(stream, () => archiveNow(stream)),
    /**
     * Archives every ended stream that still has chunks in the database: at start-up, what a
     * crash between writing an archive and deleting its chunks left, and logs from before 0025.
     * Resolves to the number of streams archived.
     */
    async archiveEnded(): Promise<number> {
      let n = 0;
      for (const { stream } of await db.selectFrom('log_chunks').select('stream').distinct().execute()) {
        if ((await streamEnded(db, stream)) && (await serial.run(stream, () => archiveNow(stream)))) n++;
      }
      return n;
    },
  };
}

export type LogArchive = ReturnType<typeof logArchive>;
