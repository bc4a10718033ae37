// The API client for CLI commands: server from --server, SLIPWAY_URL, or the local
// server's server.json; token from SLIPWAY_TOKEN or the local data dir's admin.token —
// like DOCKER_HOST and GH_TOKEN.
import { readFileSync, existsSync } from 'node:fs';
import { dataDir, serverInfoFile } from './paths.ts';
import { adminTokenPath } from '../auth/bootstrap-admin.ts';

export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

interface ClientOptions {
  server?: string;
  data?: string;
}

export class Client {
  readonly url: string;
  readonly #token: string | undefined;

  constructor(options: ClientOptions = {}) {
    const dir = dataDir(options.data);
    let url = options.server ?? process.env.SLIPWAY_URL;
    if (!url && existsSync(serverInfoFile(dir))) url = (JSON.parse(readFileSync(serverInfoFile(dir), 'utf8')) as { url: string }).url;
    this.url = (url ?? 'http://127.0.0.1:8080').replace(/\/$/, '');
    this.#token = process.env.SLIPWAY_TOKEN ?? (existsSync(adminTokenPath(dir)) ? readFileSync(adminTokenPath(dir), 'utf8').trim() : undefined);
  }

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers: { ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new CliError(`cannot reach the Slipway server at ${this.url} (${(err as Error & { cause?: Error }).cause?.message ?? (err as Error).message}); start it with \`slipway up\` or set SLIPWAY_URL`);
    }
    if (res.status === 401) {
      // The server says why (unknown, revoked, expired): pass that on.
      const text = await res.text();
      let reason: string | undefined;
      try {
        reason = (JSON.parse(text) as { error?: { message?: string } }).error?.message;
      } catch (err) {
        if (!(err instanceof SyntaxError)) throw err; // not JSON (a proxy's page): no reason to show
      }
      throw new CliError(`the server at ${this.url} refused the token${reason ? ` (${reason})` : ''}: set SLIPWAY_TOKEN (or run on the server's machine, which reads DATA/admin.token)`);
    }
    if (!res.ok) {
      const text = await res.text();
      let message = text;
      try {
        message = (JSON.parse(text) as { error: { message: string } }).error.message;
      } catch {
        // not JSON: keep the text
      }
      throw new CliError(`${method} ${path}: ${res.status} ${message}`);
    }
    return res;
  }

  async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    return (await (await this.request(method, path, body)).json()) as T;
  }
}
