// The OpenAPI 3.1 document of the API, generated from the route declarations (their zod
// schemas become JSON Schema 2020-12, the dialect OpenAPI 3.1 uses), so it cannot drift
// from what the router accepts. Served at GET /api/openapi.json.
import { z } from 'zod';
import type { FieldsSchema, RouteInfo } from './route.ts';

type JsonSchema = Record<string, unknown>;

interface Parameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  description?: string;
  schema: JsonSchema;
}

/** Input schemas: what a client sends (before defaults and transforms apply). */
function jsonSchema(schema: z.ZodType): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }) as JsonSchema;
  return rest;
}

function parameters(schema: FieldsSchema | undefined, where: Parameter['in']): Parameter[] {
  if (!schema) return [];
  const s = jsonSchema(schema);
  const required = new Set((s.required as string[] | undefined) ?? []);
  return Object.entries((s.properties ?? {}) as Record<string, JsonSchema>).map(([name, { description, ...propertySchema }]) => ({
    name,
    in: where,
    // OpenAPI §Parameter Object: a path parameter is always required.
    required: where === 'path' || required.has(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema: propertySchema,
  }));
}

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string', description: 'a stable code from docs/errors.md' }, message: { type: 'string' }, detail: {} },
    },
  },
};

export function openApiDocument(routes: readonly RouteInfo[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes) {
    const template = r.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const parameterList = [...parameters(r.params, 'path'), ...parameters(r.query, 'query')];
    (paths[template] ??= {})[r.method.toLowerCase()] = {
      summary: r.summary,
      ...(r.permission ? { 'x-slipway-permission': r.permission } : {}),
      // Signed by the caller (a forge's webhook secret), so no token: OpenAPI's empty security list.
      ...(r.authenticatedBy ? { 'x-slipway-authentication': r.authenticatedBy, security: [] } : {}),
      ...(parameterList.length > 0 ? { parameters: parameterList } : {}),
      // An empty body reads as {}: the body is required only where {} is not accepted.
      ...(r.body ? { requestBody: { required: !r.body.schema.safeParse({}).success, content: { 'application/json': { schema: jsonSchema(r.body.schema) } } } } : {}),
      responses: {
        '2XX': { description: 'success' },
        default: { description: 'an error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    // The token as Bearer, or as the password of HTTP Basic (what git and podman send).
    security: [{ bearer: [] }, { basic: [] }],
    paths,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' }, basic: { type: 'http', scheme: 'basic' } },
      schemas: { Error: errorSchema },
    },
  };
}
