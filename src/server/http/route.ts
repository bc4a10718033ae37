// What an API route declares: method, path, a summary, and zod schemas for its path
// parameters, query and JSON body. The router parses input through them before the handler
// runs, and the OpenAPI document is generated from the same declarations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { User } from '../../store/repos/users.ts';
import type { Action } from '../../auth/permissions.ts';
import { SlipwayError } from '../../core/errors.ts';
import type { Principal } from '../../auth/principal.ts';
import type { AuditAction, AuditRecord } from '../../auth/audit.ts';

/** Where a route's `audit` entries go (the server's audit log). */
export type RecordAudit = (entry: AuditRecord) => Promise<unknown>;

export const methods = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type Method = (typeof methods)[number];

/** Path parameters and the query are maps of strings, so their schemas are objects. */
export type FieldsSchema = z.ZodObject;

export interface RouteContext<P, Q, B> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The caller; undefined when anonymous, which only routes whose permission is public reach. */
  user: User | undefined;
  /** How the caller authenticated (which token, its scope; a job or deployment token is not a user); undefined when anonymous. */
  principal: Principal | undefined;
  params: P;
  query: Q;
  body: B;
}

/** A route's declaration: what the router lists and its OpenAPI operation is made from. */
export interface RouteInfo<P extends FieldsSchema = FieldsSchema, Q extends FieldsSchema = FieldsSchema, B extends z.ZodType = z.ZodType> {
  method: Method;
  /** find-my-way syntax: `/api/runs/:run`; `params` declares exactly these names. */
  path: string;
  summary: string;
  /**
   * Checked before any input is read: a caller without it gets FORBIDDEN (anonymous:
   * UNAUTHORIZED), whatever they sent. A project action is checked in the project the request
   * names: `:project`, the run of `:run`, the deployment of `:id`, or `?project=`
   * (src/server/route-guard.ts). Without one, any signed-in caller may call the route.
   */
  permission?: Action;
  /**
   * The caller proves who it is by signing the request, not by a token (forge webhooks: the
   * handler verifies the signature over the raw body). The guard lets every caller through
   * and the router checks no token scope; a route with it declares no permission.
   */
  authenticatedBy?: 'signature';
  /**
   * Recorded in the audit log once the handler has succeeded: who (the caller), which
   * project and target (the path's `:project` and its other parameter), from where.
   */
  audit?: AuditAction;
  params?: P;
  /** Keys it does not declare are ignored, as they always were. */
  query?: Q;
  /** A JSON body; `expected` shows its shape in a 400's message, e.g. `{"name": "<project>"}`. */
  body?: JsonBody<B>;
}

interface JsonBody<B extends z.ZodType = z.ZodType> {
  schema: B;
  expected: string;
}

export type RouteHandler<P extends FieldsSchema, Q extends FieldsSchema, B extends z.ZodType> = (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<void> | void;

/** The `:name` parameters of a path, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}

/** The caller of a route whose permission no anonymous caller holds (the guard let them in). */
export function signedIn(user: User | undefined): User {
  if (!user) throw new SlipwayError('UNAUTHORIZED', 'authentication required: use a token (Bearer, or Basic with the token as password)');
  return user;
}
