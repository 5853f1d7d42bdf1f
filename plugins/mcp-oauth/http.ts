/**
 * The authorization server's HTTP doors, served by the kernel's dispatcher:
 *
 *   GET  /.well-known/oauth-authorization-server   RFC 8414 metadata
 *   POST /oauth/register                           RFC 7591 dynamic registration (de-duplicated)
 *   GET  /oauth/authorize                          checks the request, then the consent page
 *   POST /oauth/device_authorization               RFC 8628: a device code and a user code
 *   POST /oauth/token                              authorization_code (PKCE S256), refresh_token, device_code
 *   POST /oauth/revoke                             RFC 7009
 *
 * None of them reads a cookie: the person's session is used only by the consent page's
 * procedures, so cross-origin calls are safe and answered with CORS for browser clients.
 */
import type { HttpContext, HttpRoute } from "~/kernel/http/routes";
import type { Kernel } from "~/kernel/kernel";
import { hitRateLimit } from "~/kernel/rate-limit";
import { OAuthProblem, registerClient, resolveClient, type ClientRow } from "./clients";
import { createDeviceAuthorization, DEVICE_GRANT_TYPE, pollDevice } from "./device";
import { isCodeChallenge } from "./secrets";
import { createAuthorizationRequest, exchangeCode, parseScopes, redirectWith, refreshTokens, revokeToken, SCOPES } from "./service";
import { mcpOauthSettings } from "./settings";
import { mcpOauthDb } from "./tables";

export const METADATA_PATH = "/.well-known/oauth-authorization-server";
export const CONSENT_PAGE = "/connect/authorize";
/** Where a person enters a device's user code (RFC 8628 verification_uri). */
export const DEVICE_PAGE = "/connect/device";

/** The resource Atrium issues tokens for: its MCP endpoint. */
export function mcpResource(kernel: Kernel): string {
  return `${kernel.config.publicUrl}/mcp`;
}

/** The ingestion API (`/api/v1`): a device (the CLI) may ask for it beside `/mcp`. */
export function apiResource(kernel: Kernel): string {
  return `${kernel.config.publicUrl}/api/v1`;
}

/** RFC 8414 metadata: the issuer is Atrium's public URL. */
export function authorizationServerMetadata(publicUrl: string) {
  return {
    issuer: publicUrl,
    authorization_endpoint: `${publicUrl}/oauth/authorize`,
    token_endpoint: `${publicUrl}/oauth/token`,
    registration_endpoint: `${publicUrl}/oauth/register`,
    revocation_endpoint: `${publicUrl}/oauth/revoke`,
    device_authorization_endpoint: `${publicUrl}/oauth/device_authorization`,
    response_types_supported: ["code"],
    response_modes_supported: ["query"],
    grant_types_supported: ["authorization_code", "refresh_token", DEVICE_GRANT_TYPE],
    code_challenge_methods_supported: ["S256"],
    token_endpoint_auth_methods_supported: ["none"],
    revocation_endpoint_auth_methods_supported: ["none"],
    scopes_supported: [...SCOPES],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true,
    service_documentation: `${publicUrl}/account#agents`,
  };
}

const CORS = { "access-control-allow-origin": "*", "access-control-allow-headers": "content-type, authorization, mcp-protocol-version", "access-control-allow-methods": "GET, POST, OPTIONS" };
const NO_STORE = { "cache-control": "no-store", pragma: "no-cache" };

function oauthError(problem: OAuthProblem): Response {
  return Response.json({ error: problem.error, error_description: problem.description }, { status: problem.status, headers: { ...CORS, ...NO_STORE } });
}

/** An error the person sees in the browser (no redirect: the client or its redirect URI is not trusted). */
function errorPage(status: number, message: string): Response {
  const escaped = message.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Cannot connect this app · Atrium</title></head><body><main><h1>This app cannot connect to Atrium</h1><p>${escaped}</p></main></body></html>`;
  return new Response(html, { status, headers: { "content-type": "text/html; charset=utf-8", ...NO_STORE } });
}

async function formOf(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.startsWith("application/x-www-form-urlencoded")) throw new OAuthProblem("invalid_request", "Send the parameters as application/x-www-form-urlencoded.");
  return new URLSearchParams(await request.text());
}

/** At most `limit` calls per minute from one address to one endpoint: 429 past it. */
async function limited(ctx: HttpContext, endpoint: string, limit: number): Promise<Response | null> {
  const hit = await hitRateLimit(ctx.kernel.db, `oauth:${endpoint}:${ctx.ip ?? "unknown"}`, limit * ctx.kernel.config.rateLimitScale, 60);
  if (hit.allowed) return null;
  return Response.json(
    { error: "too_many_requests", error_description: `Too many requests; try again in ${hit.retryAfterSeconds} s.` },
    { status: 429, headers: { ...CORS, ...NO_STORE, "retry-after": String(hit.retryAfterSeconds) } },
  );
}

async function clientFor(kernel: Kernel, clientId: string | null): Promise<ClientRow> {
  if (!clientId) throw new OAuthProblem("invalid_client", "client_id is required.", 401);
  return resolveClient(mcpOauthDb(kernel.db), clientId.slice(0, 2000), mcpOauthSettings(kernel).metadataFetch);
}

async function register(request: Request, ctx: HttpContext): Promise<Response> {
  const tooMany = await limited(ctx, "register", 30);
  if (tooMany) return tooMany;
  let body: unknown;
  try {
    body = JSON.parse(await request.text());
  } catch {
    return oauthError(new OAuthProblem("invalid_client_metadata", "The body must be a JSON object of client metadata."));
  }
  try {
    const { row, created } = await registerClient(mcpOauthDb(ctx.kernel.db), body);
    if (created) ctx.kernel.log.info({ clientId: row.client_id, requestId: ctx.requestId }, "MCP client registered");
    return Response.json(
      {
        client_id: row.client_id,
        client_id_issued_at: Math.floor(row.created_at.getTime() / 1000),
        client_name: row.client_name,
        ...(row.client_uri ? { client_uri: row.client_uri } : {}),
        redirect_uris: row.redirect_uris,
        grant_types: ["authorization_code", "refresh_token"],
        response_types: ["code"],
        token_endpoint_auth_method: "none",
      },
      { status: 201, headers: { ...CORS, ...NO_STORE } },
    );
  } catch (err) {
    if (err instanceof OAuthProblem) return oauthError(err);
    throw err;
  }
}

async function authorize(_request: Request, ctx: HttpContext): Promise<Response> {
  const q = ctx.url.searchParams;
  const { kernel } = ctx;
  const tooMany = await limited(ctx, "authorize", 60);
  if (tooMany) return tooMany;
  let client: ClientRow;
  try {
    client = await clientFor(kernel, q.get("client_id"));
  } catch (err) {
    if (err instanceof OAuthProblem) return errorPage(400, err.description);
    throw err;
  }
  // Exact match against what the client registered; never redirect anywhere else.
  const asked = q.get("redirect_uri");
  const redirectUri = asked ?? (client.redirect_uris.length === 1 ? client.redirect_uris[0]! : null);
  if (!redirectUri || !client.redirect_uris.includes(redirectUri)) {
    return errorPage(400, "The redirect_uri is not one this app registered, so Atrium will not send you back to it.");
  }
  const state = q.get("state");
  const fail = (error: string, description: string) =>
    new Response(null, { status: 302, headers: { location: redirectWith(redirectUri, { error, error_description: description, state, iss: kernel.config.publicUrl }), ...NO_STORE } });
  if (q.get("response_type") !== "code") return fail("unsupported_response_type", "Only response_type=code is supported.");
  const challenge = q.get("code_challenge");
  if (!challenge || q.get("code_challenge_method") !== "S256" || !isCodeChallenge(challenge)) {
    return fail("invalid_request", "PKCE is required: send code_challenge with code_challenge_method=S256.");
  }
  if (state !== null && state.length > 1000) return fail("invalid_request", "state is too long (at most 1000 characters).");
  const resource = q.get("resource") ?? mcpResource(kernel);
  if (resource !== mcpResource(kernel)) return fail("invalid_target", `Atrium issues tokens for ${mcpResource(kernel)} only.`);
  let scopes;
  try {
    scopes = parseScopes(q.get("scope"));
  } catch (err) {
    if (err instanceof OAuthProblem) return fail(err.error, err.description);
    throw err;
  }
  const id = await createAuthorizationRequest(mcpOauthDb(kernel.db), { client, redirectUri, codeChallenge: challenge, scopes, resource, state });
  return new Response(null, { status: 302, headers: { location: `${kernel.config.publicUrl}${CONSENT_PAGE}?request=${id}`, ...NO_STORE } });
}

async function token(request: Request, ctx: HttpContext): Promise<Response> {
  const tooMany = await limited(ctx, "token", 120);
  if (tooMany) return tooMany;
  try {
    const form = await formOf(request);
    const client = await clientFor(ctx.kernel, form.get("client_id"));
    const grantType = form.get("grant_type");
    const resource = form.get("resource");
    let tokens;
    if (grantType === "authorization_code") {
      tokens = await exchangeCode(ctx.kernel.db, client, { code: form.get("code") ?? "", redirectUri: form.get("redirect_uri"), codeVerifier: form.get("code_verifier"), resource });
    } else if (grantType === "refresh_token") {
      tokens = await refreshTokens(ctx.kernel.db, client, { refreshToken: form.get("refresh_token") ?? "", resource });
    } else if (grantType === DEVICE_GRANT_TYPE) {
      tokens = await pollDevice(ctx.kernel.db, client, (form.get("device_code") ?? "").slice(0, 200));
    } else {
      throw new OAuthProblem("unsupported_grant_type", `Supported grant types: authorization_code, refresh_token, ${DEVICE_GRANT_TYPE}.`);
    }
    await mcpOauthDb(ctx.kernel.db).updateTable("mcp_oauth_clients").set({ last_used_at: new Date() }).where("id", "=", client.id).execute();
    return Response.json(tokens, { headers: { ...CORS, ...NO_STORE } });
  } catch (err) {
    if (err instanceof OAuthProblem) return oauthError(err);
    throw err;
  }
}

/**
 * RFC 8628 §3.1–3.2: a device asks to be authorized. `resource` may be given more than once
 * (RFC 8707): `/mcp` and the ingestion API `/api/v1`; none means `/mcp`.
 */
async function deviceAuthorization(request: Request, ctx: HttpContext): Promise<Response> {
  const tooMany = await limited(ctx, "device", 30);
  if (tooMany) return tooMany;
  const { kernel } = ctx;
  try {
    const form = await formOf(request);
    const client = await clientFor(kernel, form.get("client_id"));
    const scopes = parseScopes(form.get("scope"));
    const known = [mcpResource(kernel), apiResource(kernel)];
    const asked = [...new Set(form.getAll("resource"))];
    const unknown = asked.find((r) => !known.includes(r));
    if (unknown !== undefined) throw new OAuthProblem("invalid_target", `Atrium issues tokens for ${known.join(" and ")} only.`);
    const resources = asked.length ? known.filter((r) => asked.includes(r)) : [mcpResource(kernel)];
    const device = await createDeviceAuthorization(mcpOauthDb(kernel.db), kernel.secret, { client, scopes, resources });
    const verificationUri = `${kernel.config.publicUrl}${DEVICE_PAGE}`;
    return Response.json(
      {
        device_code: device.deviceCode,
        user_code: device.userCode,
        verification_uri: verificationUri,
        verification_uri_complete: `${verificationUri}?code=${device.userCode}`,
        expires_in: device.expiresIn,
        interval: device.interval,
      },
      { headers: { ...CORS, ...NO_STORE } },
    );
  } catch (err) {
    if (err instanceof OAuthProblem) return oauthError(err);
    throw err;
  }
}

async function revoke(request: Request, ctx: HttpContext): Promise<Response> {
  const tooMany = await limited(ctx, "revoke", 120);
  if (tooMany) return tooMany;
  try {
    const form = await formOf(request);
    const client = await clientFor(ctx.kernel, form.get("client_id"));
    const value = form.get("token");
    if (!value) throw new OAuthProblem("invalid_request", "token is required.");
    await revokeToken(ctx.kernel.db, client, value);
    return new Response(null, { status: 200, headers: { ...CORS, ...NO_STORE } });
  } catch (err) {
    if (err instanceof OAuthProblem) return oauthError(err);
    throw err;
  }
}

const preflight = () => new Response(null, { status: 204, headers: { ...CORS, "access-control-max-age": "600" } });

export const mcpOauthHttpRoutes: readonly HttpRoute[] = [
  {
    method: ["GET", "OPTIONS"],
    path: METADATA_PATH,
    handle: (request, ctx) =>
      request.method === "OPTIONS"
        ? preflight()
        : Response.json(authorizationServerMetadata(ctx.kernel.config.publicUrl), { headers: { ...CORS, "cache-control": "public, max-age=3600" } }),
  },
  { method: ["POST", "OPTIONS"], path: "/oauth/register", maxBodyBytes: 16_384, handle: (request, ctx) => (request.method === "OPTIONS" ? preflight() : register(request, ctx)) },
  { method: "GET", path: "/oauth/authorize", handle: authorize },
  { method: ["POST", "OPTIONS"], path: "/oauth/token", maxBodyBytes: 8192, handle: (request, ctx) => (request.method === "OPTIONS" ? preflight() : token(request, ctx)) },
  { method: ["POST", "OPTIONS"], path: "/oauth/device_authorization", maxBodyBytes: 8192, handle: (request, ctx) => (request.method === "OPTIONS" ? preflight() : deviceAuthorization(request, ctx)) },
  { method: ["POST", "OPTIONS"], path: "/oauth/revoke", maxBodyBytes: 8192, handle: (request, ctx) => (request.method === "OPTIONS" ? preflight() : revoke(request, ctx)) },
];
