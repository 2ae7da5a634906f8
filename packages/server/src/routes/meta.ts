import { jobDefinitionJsonSchema } from '@vecron/sdk';
import type { ApiDeps } from '../http/deps.js';
import { defineRoute } from '../http/route.js';
import type { RouteDef } from '../http/route.js';
import { buildOpenApi } from '../openapi/openapi.js';

/** The job JSON Schema and the OpenAPI document (generated from the zod schemas). */
export function metaRoutes(d: ApiDeps, allRoutes: () => readonly RouteDef<never, never>[]) {
  let openapi: Record<string, unknown> | null = null;
  return [
    defineRoute({
      method: 'get', path: '/schema/job', access: 'authenticated', tag: 'meta', summary: 'JSON Schema (2020-12) of the job definition',
      async handler() {
        return { body: jobDefinitionJsonSchema() };
      },
    }),
    defineRoute({
      method: 'get', path: '/openapi.json', access: 'public', tag: 'meta', summary: 'OpenAPI 3.1 document of this API',
      async handler() {
        openapi ??= buildOpenApi(allRoutes(), { version: '0.1.0', serverUrl: d.publicUrl });
        return { body: openapi };
      },
    }),
  ];
}
