import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** The data dir: `--data`, else SLIPWAY_DATA, else ~/.slipway. */
export function dataDir(flag?: string): string {
  return resolve(flag ?? process.env.SLIPWAY_DATA ?? join(homedir(), '.slipway'));
}

/** Written by `slipway up` so client commands find the local server without flags. */
export function serverInfoFile(dir: string): string {
  return join(dir, 'server.json');
}
