/**
 * The REST API's routes: `GET /api/v1/openapi.json` (the document, public) and every operation
 * under `/api/v1/orgs/{orgId}/…` (./operations.ts). An operation is its procedure called as the
 * dispatcher's caller (a bearer token: personal, or OAuth issued for `/api/v1`; or the session
 * cookie, with the Origin check on mutations) through every guard, so authorization is the
 * procedure builder's, as in the app and MCP. The input is the path's parameters over the JSON
 * body (or, for GET, the query string). Refusals answer Atrium's error shape:
 * `{ error: { code, message, requestId }, fieldErrors? }`.
 */
import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import { ZodError } from "zod";
import { FieldErrors, fieldErrorsOf } from "~/kernel/errors";
import type { HttpContext, HttpRoute } from "~/kernel/http/routes";
import { inputFromQuery, matchOperation, restOperations, valueFromText } from "./operations";
import { openApiDocument, REST_PREFIX } from "./openapi";

function problem(ctx: HttpContext, status: number, code: string, message: string, fieldErrors?: Record<string, string[]>, headers: Record<string, string> = {}): Response {
  return Response.json({ error: { code, message, requestId: ctx.requestId }, ...(fieldErrors ? { fieldErrors } : {}) }, { status, headers: { "cache-control": "no-store", ...headers } });
}

function fieldErrorsFrom(err: TRPCError): Record<string, string[]> | undefined {
  if (err.cause instanceof ZodError) return fieldErrorsOf(err.cause);
  if (err.cause instanceof FieldErrors) return err.cause.fields;
  return undefined;
}

async function serveOperation(request: Request, ctx: HttpContext): Promise<Response> {
  const method = request.method.toUpperCase() === "HEAD" ? "GET" : request.method.toUpperCase();
  const found = matchOperation(restOperations(ctx.router), method, ctx.url.pathname.slice(REST_PREFIX.length));
  if (!found) return problem(ctx, 404, "NOT_FOUND", "No such operation; see /api/v1/openapi.json.");
  if ("allowed" in found) return problem(ctx, 405, "METHOD_NOT_ALLOWED", `${method} is not allowed here; use ${found.allowed.join(", ")}.`, undefined, { allow: found.allowed.join(", ") });
  const { operation, params } = found;

  let input: Record<string, unknown>;
  if (method === "GET" || method === "DELETE") input = inputFromQuery(operation, ctx.url.searchParams);
  else {
    // Read under the dispatcher's limit (413 past it).
    const text = await request.text();
    const type = request.headers.get("content-type") ?? "";
    if (text && !/^application\/json\b/i.test(type)) return problem(ctx, 415, "UNSUPPORTED_MEDIA_TYPE", "Send the body as JSON (Content-Type: application/json).");
    let body: unknown = {};
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        return problem(ctx, 400, "BAD_REQUEST", "The request body must be valid JSON.");
      }
    }
    if (!body || typeof body !== "object" || Array.isArray(body)) return problem(ctx, 400, "BAD_REQUEST", "The request body must be a JSON object.");
    input = body as Record<string, unknown>;
  }
  // The path names the resource: it wins over anything the body says (a version in the path is a number).
  for (const [name, text] of Object.entries(params)) input[name] = valueFromText(operation, name, text);

  try {
    const result = await ctx.call(operation.procedure, input);
    return Response.json(result ?? null, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const status = getHTTPStatusCodeFromError(err);
    if (status >= 500) throw err;
    const fieldErrors = fieldErrorsFrom(err);
    const message = err.cause instanceof ZodError ? `The input is not valid: ${Object.entries(fieldErrors ?? {}).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; ")}` : err.message;
    return problem(ctx, status, err.code, message, fieldErrors);
  }
}

/**
 * Operation paths are `/orgs/{orgId}/…` (the routes below cover every depth up to nine
 * segments), and `/me…` for what is the caller's own, in no one organization.
 */
const operationPaths = ["/me", "/me/:a", "/me/:a/:b", "/orgs/:orgId/:a", "/orgs/:orgId/:a/:b", "/orgs/:orgId/:a/:b/:c", "/orgs/:orgId/:a/:b/:c/:d", "/orgs/:orgId/:a/:b/:c/:d/:e", "/orgs/:orgId/:a/:b/:c/:d/:e/:f", "/orgs/:orgId/:a/:b/:c/:d/:e/:f/:g"];

/** OAuth access tokens issued for `<PUBLIC_URL>/api/v1` are good here, as on the ingestion API. */
const bearerResource = REST_PREFIX;

export const restApiHttpRoutes: readonly HttpRoute[] = [
  {
    method: "GET",
    path: `${REST_PREFIX}/openapi.json`,
    handle: async (_request, ctx) => Response.json(await openApiDocument(ctx.router, ctx.kernel.config.publicUrl, ctx.kernel.plugins), { headers: { "cache-control": "public, max-age=300" } }),
  },
  ...operationPaths.map(
    (path): HttpRoute => ({
      method: ["GET", "POST", "PUT", "PATCH", "DELETE"],
      path: `${REST_PREFIX}${path}`,
      bearerResource,
      maxBodyBytes: 1024 * 1024,
      handle: serveOperation,
    }),
  ),
];
