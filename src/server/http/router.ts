// The API router: find-my-way (Fastify's router, on raw node:http req/res, so streaming
// handlers keep their request and response) under route declarations with schemas. It is
// the only module that imports find-my-way. No route for a path is NOT_FOUND, a path with
// routes for other methods is UNSUPPORTED (405) with an Allow header, and HEAD runs the
// GET route (node:http sends no body for HEAD).
import type { IncomingMessage, ServerResponse } from 'node:http';
import FindMyWay from 'find-my-way';
import type { z } from 'zod';
import { SlipwayError } from '../../core/errors.ts';
import { authorize } from '../../auth/permissions.ts';
import { checkScope } from '../../auth/token-scope.ts';
import { checkCsrf } from '../../auth/sessions.ts';
import type { Principal } from '../../auth/principal.ts';
import type { User } from '../../store/repos/users.ts';
import { parseParams, parseQuery, readBody } from './input.ts';
import { methods, pathParamNames, type FieldsSchema, type Method, type RecordAudit, type RouteHandler, type RouteInfo } from './route.ts';

export type RawParams = Record<string, string | undefined>;
type Run = (req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal | undefined, raw: RawParams) => Promise<void>;

/**
 * Decides, before any input is read, whether the caller (undefined: anonymous) may call the
 * route; throws UNAUTHORIZED or FORBIDDEN otherwise. The server's guard finds the project a
 * route names (src/server/route-guard.ts); without one, a route's permission is checked
 * without a project and a route without a permission needs a signed-in caller.
 */
export type Guard = (user: User | undefined, info: RouteInfo, params: RawParams, url: URL) => Promise<void>;

const defaultGuard: Guard = async (user, info) => {
  if (info.authenticatedBy === 'signature') return;
  if (info.permission) authorize(user, info.permission);
  else if (!user) throw new SlipwayError('UNAUTHORIZED', 'authentication required: use a token (Bearer, or Basic with the token as password)');
};

interface Found {
  run: Run;
  params: RawParams;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const auditedFields = ['name', 'role', 'public', 'decision', 'pushRoles', 'allowForcePush'];

export class Router {
  // Trailing and doubled slashes were always ignored; parameter length is bounded by
  // node's header size limit, not by the router.
  readonly #fmw = FindMyWay({ ignoreTrailingSlash: true, ignoreDuplicateSlashes: true, maxParamLength: 16 * 1024 });
  readonly #routes: RouteInfo[] = [];
  readonly #guard: Guard;
  readonly #audit: RecordAudit | undefined;

  constructor(options: { guard?: Guard; audit?: RecordAudit } = {}) {
    this.#guard = options.guard ?? defaultGuard;
    this.#audit = options.audit;
  }

  route<P extends FieldsSchema, Q extends FieldsSchema, B extends z.ZodType>(info: RouteInfo<P, Q, B>, handler: RouteHandler<P, Q, B>): this {
    const names = pathParamNames(info.path).sort();
    const declared = Object.keys(info.params?.shape ?? {}).sort();
    if (names.join() !== declared.join()) {
      throw new Error(`route ${info.method} ${info.path}: params must declare exactly [${names.join(', ')}], not [${declared.join(', ')}]`);
    }
    if (info.authenticatedBy && info.permission) throw new Error(`route ${info.method} ${info.path}: a signed route declares no permission`);
    const run: Run = async (req, res, url, principal, raw) => {
      // A write the session cookie authenticated carries the session's CSRF token, first of all.
      checkCsrf(principal, info.method, req.headers);
      // What the token reaches (its scope, or a job's own run) first, then what its user may do
      // in the project. A job or deployment token is not a user: its scope alone decides.
      // A signed route (a forge's webhook) is not called with a token: none is checked.
      if (principal && !info.authenticatedBy) checkScope(principal, { kind: 'api', method: info.method, route: info.path, params: raw, permission: info.permission });
      const user = principal?.user;
      if (!principal || principal.kind === 'user') await this.#guard(user, info as RouteInfo, raw, url);
      // Without a schema there is nothing to parse: the handler then gets {} (or no body).
      const params = (info.params ? parseParams(info.params, raw) : {}) as z.output<P>;
      const query = (info.query ? parseQuery(info.query, url.searchParams) : {}) as z.output<Q>;
      const body = (info.body ? await readBody(req, info.body.schema, info.body.expected) : undefined) as z.output<B>;
      await handler({ req, res, url, user, principal, params, query, body });
      if (info.audit && this.#audit) {
        const { project, ...rest } = raw;
        const target = Object.values(rest).find((v) => v !== undefined);
        // From the body, only fields that say what was decided; never a value (a secret's is in `value`).
        const told = isRecord(body) ? Object.fromEntries(auditedFields.filter((k) => k in body).map((k) => [k, body[k]])) : {};
        await this.#audit({ actor: user?.name ?? 'anonymous', action: info.audit, project, target, address: req.socket.remoteAddress, detail: { route: `${info.method} ${info.path}`, ...told } });
      }
    };
    this.#fmw.on(info.method, info.path, () => {}, { run, path: info.path });
    this.#routes.push(info);
    return this;
  }

  /** Every declared route, in declaration order. */
  get routes(): readonly RouteInfo[] {
    return this.#routes;
  }

  /** Runs the route for the request, or throws NOT_FOUND, UNSUPPORTED or BAD_REQUEST. */
  async dispatch(req: IncomingMessage, res: ServerResponse, url: URL, principal: Principal | undefined): Promise<void> {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    const found = this.#find(method, path) ?? (method === 'HEAD' ? this.#find('GET', path) : undefined);
    if (found) return found.run(req, res, url, principal, found.params);
    const allowed = methods.filter((m) => this.#find(m, path));
    if (allowed.length > 0) {
      res.setHeader('allow', allowed.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', '));
      throw new SlipwayError('UNSUPPORTED', `method ${method} not allowed on ${path}`);
    }
    const bad = this.#undecodable(path);
    if (bad) throw new SlipwayError('BAD_REQUEST', `path parameter "${bad.name}" is not valid percent-encoding: ${JSON.stringify(bad.value)}`);
    throw new SlipwayError('NOT_FOUND', `no route for ${method} ${path}`);
  }

  /** The template of the route a request would run (`/api/runs/:run`), for metrics and logs. */
  routeOf(method: string, path: string): string | undefined {
    const m = method === 'HEAD' ? 'GET' : method; // HEAD runs the GET route (dispatch)
    if (!(methods as readonly string[]).includes(m)) return undefined;
    return (this.#fmw.find(m as Method, path)?.store as { path: string } | undefined)?.path;
  }

  #find(method: string, path: string): Found | undefined {
    if (!(methods as readonly string[]).includes(method)) return undefined;
    const r = this.#fmw.find(method as Method, path);
    return r ? { run: (r.store as { run: Run }).run, params: r.params } : undefined;
  }

  /**
   * find-my-way matches nothing when a path does not percent-decode (`/api/runs/%ff`).
   * Matched again with every `%` escaped, the route shows which parameter held it.
   */
  #undecodable(path: string): { name: string; value: string } | undefined {
    const literal = path.replaceAll('%', '%25');
    for (const m of methods) {
      const params = this.#find(m, literal)?.params ?? {};
      for (const [name, value] of Object.entries(params)) if (value !== undefined && !decodes(value)) return { name, value };
    }
    return undefined;
  }
}

function decodes(value: string): boolean {
  try {
    decodeURIComponent(value);
    return true;
  } catch (err) {
    if (err instanceof URIError) return false;
    throw err;
  }
}
