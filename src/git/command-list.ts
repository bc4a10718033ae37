// Reads the start of a receive-pack request body, up to the end of its command list, before
// git sees any of it: the server decides the push's branch protection policy from those
// commands and must pass it to git when starting it. The bytes read are handed on to git
// untouched; the rest of the body (the pack) keeps streaming.
import type { IncomingMessage } from 'node:http';
import { PushCommandTee, type PushCommand } from './push-commands.ts';

interface CommandListHead {
  commands: PushCommand[];
  /** The body bytes read so far, to be written to git first. */
  chunks: Buffer[];
}

/**
 * A command list is about a hundred bytes per ref; past `limit` bytes the commands read so far
 * are returned, and the hook's check of the full list refuses the push (fail closed).
 * Leaves `req` paused, without its data listener; whoever reads on checks `readableEnded`.
 */
export function readCommandList(req: IncomingMessage, limit = 8 * 1024 * 1024): Promise<CommandListHead> {
  const tee = new PushCommandTee(req.headers['content-encoding']);
  const chunks: Buffer[] = [];
  let size = 0;
  const onData = (chunk: Buffer) => {
    chunks.push(chunk);
    size += chunk.length;
    tee.write(chunk);
    if (size > limit) tee.end();
  };
  const onEnd = () => tee.end();
  req.on('data', onData);
  req.on('end', onEnd);
  req.on('close', onEnd);
  req.on('error', onEnd);
  return tee.commands.then((commands) => {
    req.pause();
    req.off('data', onData);
    req.off('end', onEnd);
    // 'close' and 'error' stay listened to (a no-op once settled): an aborted request must not
    // emit an unhandled 'error' while the server decides the policy.
    return { commands, chunks };
  });
}
