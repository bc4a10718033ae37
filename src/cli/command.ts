import type { ParseArgsConfig } from 'node:util';
import { Client } from './client.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;
export type Values = Record<string, string | boolean | string[] | boolean[] | undefined>;

export interface Command {
  name: string;
  summary: string;
  /** Usage line after `slipway <name>`, and a description of each option. */
  usage: string;
  help: string;
  options: Options;
  run(values: Values, positionals: string[]): Promise<number>;
}

/** Options every client command takes. */
export const clientOptions: Options = {
  server: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
};

export const clientHelp = `  --server URL   Slipway server (default: SLIPWAY_URL, else the local one)
  --data DIR     local data dir, for the default server and token (default: SLIPWAY_DATA or ~/.slipway)
  --json         print JSON`;

export function str(v: Values[string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** The API client for a command's --server and --data. */
export function clientFor(values: Values): Client {
  return new Client({ server: str(values.server), data: str(values.data) });
}
