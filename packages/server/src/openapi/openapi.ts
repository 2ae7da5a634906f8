import { z } from 'zod';
import type { ZodType } from 'zod';
import type { RouteDef } from '../http/route.js';
import { jobViewJsonSchema } from '../routes/common.js';
import { executionFileListJsonSchema, stepLogPageJsonSchema } from '../routes/execution-logs.js';

const errorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object', required: ['code', 'message', 'request_id'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' }, request_id: { type: 'string' } },
    },
  },
} as const;

const jsonSchema = (s: ZodType, io: 'input' | 'output'): Record<string, unknown> => {
  const out = z.toJSONSchema(s, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Record<string, unknown>;
  delete out.$schema;
  return out;
};

/** Builds the OpenAPI 3.1 document from the route table and its zod schemas. */
export function buildOpenApi(routes: readonly RouteDef<never, never>[], info: { version: string; serverUrl: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of routes as unknown as RouteDef[]) {
    const path = `/api${r.path.replace(/:([A-Za-z_]+)/g, '{$1}')}`;
    const params: unknown[] = [...r.path.matchAll(/:([A-Za-z_]+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (r.query) {
      const qs = jsonSchema(r.query, 'input') as { properties?: Record<string, unknown>; required?: string[] };
      for (const [name, schema] of Object.entries(qs.properties ?? {})) params.push({ name, in: 'query', required: qs.required?.includes(name) ?? false, schema });
    }
    const ok = String(r.successStatus ?? 200);
    const responses: Record<string, unknown> = {
      [ok]: { description: 'success', ...(r.response ? { content: { 'application/json': { schema: { $ref: `#/components/schemas/${r.response}` } } } } : {}) },
      400: { description: 'invalid input (field paths in error.details.issues)', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    if (r.access !== 'public') {
      responses[401] = { description: 'missing, invalid, expired or revoked token', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
      responses[403] = { description: `needs ${r.access}`, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    }
    if (r.path.includes(':')) responses[404] = { description: 'not found', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    (paths[path] ??= {})[r.method] = {
      summary: r.summary,
      tags: [r.tag],
      operationId: `${r.method}${r.path.replace(/[/:]+([a-z])/g, (_m, c: string) => c.toUpperCase()).replace(/[^A-Za-z0-9]/g, '')}`,
      'x-vecron-permission': r.access,
      ...(r.access === 'public' ? { security: [] } : {}),
      ...(params.length ? { parameters: params } : {}),
      ...(r.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(r.body, 'input') } } } } : {}),
      responses,
    };
  }
  paths['/webhooks/{id}'] = {
    post: {
      summary: 'Webhook receiver (HMAC-SHA256 over "timestamp.body"; outside JWT auth)', tags: ['webhook'], security: [], operationId: 'receiveWebhook',
      parameters: [
        { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'X-Vecron-Timestamp', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'X-Vecron-Signature', in: 'header', required: true, schema: { type: 'string' } },
        { name: 'X-Vecron-Delivery', in: 'header', required: true, schema: { type: 'string' } },
      ],
      responses: { 202: { description: 'accepted: { execution_id }' }, 401: { description: 'bad signature or stale timestamp' }, 403: { description: 'job or its webhook trigger disabled' }, 404: { description: 'unknown webhook' }, 409: { description: 'delivery already received' }, 413: { description: 'body too large' }, 429: { description: 'rate limit; see Retry-After' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: { title: 'vecron API', version: info.version, description: 'REST API of the vecron reference server. Errors share one shape with a stable code.' },
    servers: [{ url: info.serverUrl }],
    security: [{ bearer: [] }],
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } }, schemas: {
      Error: errorSchema,
      Job: jobViewJsonSchema,
      StepLogPage: stepLogPageJsonSchema,
      ExecutionFileList: executionFileListJsonSchema,
      JobList: { type: 'object', required: ['items', 'limit', 'offset'], properties: { items: { type: 'array', items: { $ref: '#/components/schemas/Job' } }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
    } },
    paths,
  };
}
