/**
 * The OpenAPI 3.1 document of Atrium's REST API: every procedure whose metadata carries
 * `openapi: { method, path }`, generated from its zod input and output by trpc-to-openapi
 * (docs/decisions/032-rest-api-from-procedures.md), then given Atrium's error shape and bearer
 * authentication; plus the plugins' own HTTP routes under /api/v1 that describe themselves
 * (`HttpRoute.openapi`: the ingestion API). Pure: no request, no database.
 */
import type { AnyRouter } from "@trpc/server";
import type { HttpRoute } from "~/kernel/http/routes";
import type { OpenAPIObject, OpenApiRouter } from "trpc-to-openapi";

export const REST_PREFIX = "/api/v1";

/** `{ error: { code, message, requestId }, fieldErrors? }`: what every refusal answers. */
const errorSchema = {
  type: "object",
  required: ["error"],
  properties: {
    error: {
      type: "object",
      required: ["code", "message"],
      properties: {
        code: { type: "string", description: "NOT_FOUND, FORBIDDEN, UNAUTHORIZED, UNPROCESSABLE_CONTENT, TOO_MANY_REQUESTS, …", examples: ["NOT_FOUND"] },
        message: { type: "string", description: "What went wrong, in words a person can act on" },
        requestId: { type: ["string", "null"], description: "Quote it when reporting a problem" },
      },
    },
    fieldErrors: {
      type: "object",
      description: "For a refused input: the messages by field (dotted path)",
      additionalProperties: { type: "array", items: { type: "string" } },
    },
  },
} as const;

const refusals: Record<string, string> = {
  "400": "The body is not a JSON object",
  "401": "No credential, or a bad one: send `Authorization: Bearer <token>`",
  "403": "The token lacks the scope, or your role lacks the capability",
  "404": "Not there, or not yours to see (the two are not told apart)",
  "422": "The input is refused; see fieldErrors",
  "429": "Over a limit; retry after the Retry-After header's seconds",
  "500": "Something went wrong on our side (logged under the request id)",
};

type Operation = { responses?: Record<string, unknown>; security?: unknown };

let cached: { router: AnyRouter; publicUrl: string; plugins: unknown; document: OpenAPIObject } | undefined;

type PluginRoutes = ReadonlyArray<{ http?: readonly HttpRoute[] }>;

/** `/api/v1/datasets/:name/rows` → `/datasets/{name}/rows`. */
function documentPath(routePath: string): string {
  return routePath
    .slice(REST_PREFIX.length)
    .split("/")
    .map((part) => (part.startsWith(":") ? `{${part.slice(1)}}` : part))
    .join("/");
}

/**
 * The document for `router` (and the self-describing routes of `plugins`) as served at
 * `publicUrl`, built once per router, plugin list and address. The generator loads with the
 * first request for the document, not with every server start.
 */
export async function openApiDocument(router: AnyRouter, publicUrl: string, plugins: PluginRoutes = []): Promise<OpenAPIObject> {
  if (cached && cached.router === router && cached.publicUrl === publicUrl && cached.plugins === plugins) return cached.document;
  const { generateOpenApiDocument } = await import("trpc-to-openapi");
  const document = generateOpenApiDocument(router as unknown as OpenApiRouter, {
    title: "Atrium API",
    version: "1",
    openApiVersion: "3.1.0",
    description:
      "Atrium's public REST API: the same operations as the app and the MCP tools, with the same authorization. " +
      "Authenticate with a personal access token (Account › Access tokens; `read` for GET, `write` for the rest) or an OAuth access token issued for this API. " +
      "A resource you may not see answers 404, whether or not it exists; a member without the capability gets 403.",
    baseUrl: `${publicUrl}${REST_PREFIX}`,
    securitySchemes: { bearer: { type: "http", scheme: "bearer", description: "A personal access token (`atr_…`) or an OAuth access token for this API" } },
  });
  // trpc-to-openapi describes errors in its own shape; Atrium answers one shape everywhere.
  const schemas = (document.components?.schemas ?? {}) as Record<string, unknown>;
  for (const name of Object.keys(schemas)) if (name.startsWith("error.")) delete schemas[name];
  schemas.Error = errorSchema;
  document.components = { ...document.components, schemas: schemas as NonNullable<OpenAPIObject["components"]>["schemas"] };
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, Operation>)) {
      const responses = (operation.responses ??= {});
      for (const status of Object.keys(responses)) if (Number(status) >= 400) delete responses[status];
      for (const [status, description] of Object.entries(refusals)) {
        responses[status] = { description, content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } };
      }
    }
  }
  // Plugin routes that describe themselves (the ingestion API), in their own words: their
  // refusals are already Atrium's error shape, with what each route answers.
  const paths = (document.paths ??= {}) as Record<string, Record<string, unknown>>;
  for (const plugin of plugins) {
    for (const route of plugin.http ?? []) {
      if (!route.openapi || !route.path.startsWith(`${REST_PREFIX}/`)) continue;
      const item = (paths[documentPath(route.path)] ??= {});
      for (const [method, operation] of Object.entries(route.openapi)) {
        if (item[method]) throw new Error(`OpenAPI: ${method.toUpperCase()} ${route.path} is described twice`);
        item[method] = operation;
      }
    }
  }
  cached = { router, publicUrl, plugins, document };
  return document;
}
