// Reads a tar.gz's headers (POSIX ustar §pax "Header block", plus GNU's ././@LongLink
// `L`/`K` records and pax `path`/`linkpath`) and refuses an archive that would write
// outside the job's directories: an absolute name, a name whose `..` leaves them, a
// symbolic or hard link pointing out of them, a member under a link the archive itself
// made (the link-then-write-through-it trick), or a device or FIFO. A cache is written by
// jobs, so whatever restores it must treat it as hostile; this check runs before any byte
// of it is unpacked. Names are relative to `base` (actions/cache names them so).
import { createReadStream } from 'node:fs';
import { posix } from 'node:path';
import { createGunzip } from 'node:zlib';
import { SlipwayError } from '../../core/errors.ts';

const block = 512;

interface Entry {
  name: string;
  type: string;
  link: string;
}

function text(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? length : end).toString('utf8');
}

function octal(buf: Buffer, start: number, length: number): number {
  // GNU base-256 for sizes of 8 GiB and more: the high bit of the first byte is set.
  if (buf[start]! & 0x80) return buf.subarray(start + 1, start + length).reduce((n, b) => n * 256 + b, 0);
  return parseInt(text(buf, start, length).trim() || '0', 8);
}

/** `path=...` and `linkpath=...` of a pax extended header's "length key=value\n" records. */
function paxRecords(data: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let at = 0; at < data.length;) {
    const space = data.indexOf(' ', at);
    const length = Number(data.slice(at, space));
    if (space === -1 || !(length > 0)) break;
    const record = data.slice(space + 1, at + length - 1);
    const eq = record.indexOf('=');
    out[record.slice(0, eq)] = record.slice(eq + 1);
    at += length;
  }
  return out;
}

/** Every entry of a tar.gz file, with long names and pax overrides applied. */
async function* entries(file: string): AsyncGenerator<Entry> {
  let pending = Buffer.alloc(0);
  let skip = 0;
  let meta: { buf: Buffer[]; left: number; kind: string } | undefined;
  let next: { name?: string; link?: string } = {};
  for await (const chunk of createReadStream(file).pipe(createGunzip()) as AsyncIterable<Buffer>) {
    pending = Buffer.concat([pending, chunk]);
    while (true) {
      if (skip > 0) {
        const n = Math.min(skip, pending.length);
        if (meta) {
          meta.buf.push(pending.subarray(0, Math.min(n, meta.left)));
          meta.left -= Math.min(n, meta.left);
        }
        pending = pending.subarray(n);
        skip -= n;
        if (skip > 0) break;
      }
      if (meta) {
        {
          const data = Buffer.concat(meta.buf).toString('utf8');
          if (meta.kind === 'L') next.name = data.replace(/\0+$/, '');
          else if (meta.kind === 'K') next.link = data.replace(/\0+$/, '');
          else {
            const pax = paxRecords(data);
            if (pax.path !== undefined) next.name = pax.path;
            if (pax.linkpath !== undefined) next.link = pax.linkpath;
          }
          meta = undefined;
        }
      }
      if (pending.length < block) break;
      const header = pending.subarray(0, block);
      pending = pending.subarray(block);
      if (header.every((b) => b === 0)) continue; // End-of-archive blocks.
      const size = octal(header, 124, 12);
      const type = String.fromCharCode(header[156]!) || '0';
      skip = Math.ceil(size / block) * block;
      if (type === 'L' || type === 'K' || type === 'x') {
        meta = { buf: [], left: size, kind: type };
        continue;
      }
      if (type === 'g') continue; // Global pax header: nothing we check.
      const prefix = text(header, 345, 155);
      const name = next.name ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100));
      yield { name, type, link: next.link ?? text(header, 157, 100) };
      next = {};
    }
  }
}

const typeNames: Record<string, string> = { '3': 'a character device', '4': 'a block device', '6': 'a FIFO' };

/**
 * Throws ARCHIVE_UNSAFE naming the first member of `file` that would land outside `roots`
 * (absolute directories; `base`, one of them, is what names are relative to).
 */
export async function checkArchive(file: string, base: string, roots: readonly string[], what: string): Promise<number> {
  const inside = (path: string) => roots.some((r) => path === r || path.startsWith(`${r}/`));
  const links = new Set<string>();
  let count = 0;
  const refuse = (name: string, why: string): never => {
    throw new SlipwayError('ARCHIVE_UNSAFE', `${what}: member "${name}" ${why}; nothing was restored`);
  };
  for await (const e of entries(file)) {
    count++;
    if (e.name.startsWith('/')) refuse(e.name, 'has an absolute path');
    const path = posix.join(base, e.name).replace(/\/$/, '');
    if (!inside(path)) refuse(e.name, `leaves the job's directories (it would be ${path})`);
    for (let dir = posix.dirname(path); dir !== '/' && dir !== '.'; dir = posix.dirname(dir)) {
      if (links.has(dir)) refuse(e.name, `is written through ${dir}, a link the archive made`);
    }
    if (typeNames[e.type]) refuse(e.name, `is ${typeNames[e.type]}`);
    if (e.type === '2') {
      const target = e.link.startsWith('/') ? posix.normalize(e.link) : posix.join(posix.dirname(path), e.link);
      if (!inside(target)) refuse(e.name, `is a symbolic link to ${e.link}, outside the job's directories`);
      links.add(path);
    }
    if (e.type === '1') {
      if (e.link.startsWith('/') || !inside(posix.join(base, e.link))) refuse(e.name, `is a hard link to ${e.link}, outside the job's directories`);
    }
  }
  return count;
}
