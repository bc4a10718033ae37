// What an API route declares: method, path, a summary, and zod schemas for its path
// parameters, query and JSON body. The router parses input through them before the handler
// runs, and the OpenAPI document is generated from the same declarations.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { User } from '../../store/repos/users.ts';
import type { Action } from '../../auth/permissions.ts';

export const methods = ['GET', 'POST', 'PUT', 'DELETE'] as const;
export type Method = (typeof methods)[number];

/** Path parameters and the query are maps of strings, so their schemas are objects. */
export type FieldsSchema = z.ZodObject;
type NoFields = z.ZodObject<Record<never, never>>;

export interface RouteContext<P, Q, B> {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The caller: the front door (app.ts) has refused anonymous requests already. */
  user: User;
  params: P;
  query: Q;
  body: B;
}

export interface RouteSpec<P extends FieldsSchema = NoFields, Q extends FieldsSchema = NoFields, B extends z.ZodType = z.ZodUndefined> {
  method: Method;
  /** find-my-way syntax: `/api/runs/:run`; `params` declares exactly these names. */
  path: string;
  summary: string;
  /** Checked before any input is read: a caller without it gets FORBIDDEN, whatever they sent. */
  permission?: Action;
  params?: P;
  /** Keys it does not declare are ignored, as they always were. */
  query?: Q;
  /** A JSON body; `expected` shows its shape in a 400's message, e.g. `{"name": "<project>"}`. */
  body?: { schema: B; expected: string };
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>, z.output<B>>) => Promise<void> | void;
}

/** A declaration without its handler's types, as the router lists it and OpenAPI reads it. */
export interface RouteInfo {
  method: Method;
  path: string;
  summary: string;
  permission?: Action;
  params?: FieldsSchema;
  query?: FieldsSchema;
  body?: { schema: z.ZodType; expected: string };
}

/** The `:name` parameters of a path, in order. */
export function pathParamNames(path: string): string[] {
  return [...path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => m[1]!);
}
