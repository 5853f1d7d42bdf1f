/**
 * MCP clients: dynamic registration (RFC 7591) with one client per name and redirect URIs, and
 * Client ID Metadata Documents (a client whose client_id is the https URL of its metadata).
 * Fetching a metadata document goes through the data plugin's private-address filter and
 * connects to the address that was vetted, so a tenant can never make Atrium fetch an internal
 * address (loopback only where a test's configuration allows it).
 */
import https from "node:https";
import { z } from "zod";
import { safeString } from "~/kernel/schemas";
import { HostRefused, vetHost } from "../data/host-guard";
import { CLIENT_ID_PREFIX, newSecret, registrationKey } from "./secrets";
import type { McpOauthDb, McpOauthTables } from "./tables";

export type ClientRow = Omit<McpOauthTables["mcp_oauth_clients"], "id" | "metadata" | "created_at"> & { id: string; created_at: Date };

/** An OAuth error the endpoints answer with (RFC 6749 §5.2 and its extensions). */
export class OAuthProblem extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

/** How metadata documents are fetched; tests allow loopback and trust their own certificate. */
export interface MetadataFetchOptions {
  allowPrivateHosts: boolean;
  /** Extra trusted certificate authority (PEM), for a test server's self-signed certificate. */
  ca?: string;
  timeoutMs: number;
  maxBytes: number;
}

export const DEFAULT_FETCH: MetadataFetchOptions = { allowPrivateHosts: false, timeoutMs: 5000, maxBytes: 64 * 1024 };

/** https, or http on a loopback address (native apps, RFC 8252); exact strings, no fragment. */
export function redirectUriProblem(uri: string): string | null {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return `"${uri.slice(0, 100)}" is not a URL`;
  }
  if (url.hash || uri.includes("#")) return "Redirect URIs cannot have a fragment";
  if (url.username || url.password) return "Redirect URIs cannot carry credentials";
  if (url.protocol === "https:") return null;
  const loopback = url.hostname === "127.0.0.1" || url.hostname === "[::1]" || url.hostname === "localhost";
  if (url.protocol === "http:" && loopback) return null;
  return "Redirect URIs must be https, or http on a loopback address (127.0.0.1, [::1], localhost)";
}

const redirectUris = z
  .array(safeString().max(2000))
  .max(10, "At most 10 redirect URIs")
  .superRefine((uris, ctx) => {
    uris.forEach((uri, i) => {
      const problem = redirectUriProblem(uri);
      if (problem) ctx.addIssue({ code: "custom", path: [i], message: problem });
    });
  });

/** The fields of a registration (RFC 7591 §2) Atrium reads; the rest is kept as given. */
export const clientMetadataSchema = z.looseObject({
  // Optional only for device clients (RFC 8628), which are never redirected: see redirectsProblem.
  redirect_uris: redirectUris.default([]),
  client_name: safeString().trim().max(100).optional(),
  client_uri: safeString().max(2000).optional(),
  token_endpoint_auth_method: z.literal("none", { message: "Only public clients (token_endpoint_auth_method none) with PKCE are supported" }).optional(),
  grant_types: z
    .array(z.enum(["authorization_code", "refresh_token", "urn:ietf:params:oauth:grant-type:device_code"], { message: "Supported grant types: authorization_code, refresh_token, urn:ietf:params:oauth:grant-type:device_code" }))
    .max(3)
    .optional(),
  response_types: z.array(z.literal("code", { message: "Only the code response type is supported" })).max(1).optional(),
  scope: safeString().max(200).optional(),
});

/** A client that may use the code flow must name where to send its person back. */
function redirectsProblem(metadata: { redirect_uris: string[]; grant_types?: string[] | undefined }): string | null {
  const grants = metadata.grant_types ?? ["authorization_code"];
  if (grants.includes("authorization_code") && metadata.redirect_uris.length === 0) return "redirect_uris: Give at least one redirect URI (only device clients may have none)";
  return null;
}

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join(".") || "metadata"}: ${issue.message}`;
}

/** RFC 7591: registers a client, or answers the one already registered with the same name and redirect URIs. */
export async function registerClient(db: McpOauthDb, body: unknown): Promise<{ row: ClientRow; created: boolean }> {
  const parsed = clientMetadataSchema.safeParse(body);
  if (!parsed.success) throw new OAuthProblem(parsed.error.issues[0]?.path[0] === "redirect_uris" ? "invalid_redirect_uri" : "invalid_client_metadata", firstIssue(parsed.error));
  const metadata = parsed.data;
  const missing = redirectsProblem(metadata);
  if (missing) throw new OAuthProblem("invalid_redirect_uri", missing);
  const name = metadata.client_name || "MCP client";
  const key = registrationKey(name, metadata.redirect_uris);
  const existing = await db.selectFrom("mcp_oauth_clients").selectAll().where("registration_key", "=", key).executeTakeFirst();
  if (existing) return { row: existing, created: false };
  const row = await db
    .insertInto("mcp_oauth_clients")
    .values({
      client_id: newSecret(CLIENT_ID_PREFIX),
      kind: "registered",
      client_name: name,
      client_uri: metadata.client_uri ?? null,
      redirect_uris: metadata.redirect_uris,
      registration_key: key,
      metadata: JSON.stringify(metadata),
      fetched_at: null,
      last_used_at: null,
    })
    .onConflict((oc) => oc.column("registration_key").doNothing())
    .returningAll()
    .executeTakeFirst();
  if (row) return { row, created: true };
  // Registered by a concurrent request meanwhile: the same client.
  return { row: await db.selectFrom("mcp_oauth_clients").selectAll().where("registration_key", "=", key).executeTakeFirstOrThrow(), created: false };
}

/** A client id that names a metadata document: https, a path, no fragment or credentials. */
export function isMetadataClientId(clientId: string): boolean {
  if (!clientId.startsWith("https://")) return false;
  try {
    const url = new URL(clientId);
    return url.pathname !== "/" && !url.hash && !url.username && !url.password;
  } catch {
    return false;
  }
}

/** GETs a metadata document from the vetted address only: no redirects, a time and size limit. */
export async function fetchMetadataDocument(clientId: string, options: MetadataFetchOptions): Promise<unknown> {
  const url = new URL(clientId);
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = await vetHost(host, { allowPrivate: options.allowPrivateHosts });
  } catch (err) {
    if (err instanceof HostRefused) throw new OAuthProblem("invalid_client", `The client's metadata document cannot be fetched: ${err.message}.`);
    throw err;
  }
  const address = addresses[0]!;
  const family = address.includes(":") ? 6 : 4;
  const text = await new Promise<string>((resolve, reject) => {
    const request = https.get(
      url,
      {
        // Connect to the address that was vetted: a second DNS answer cannot move the request.
        lookup: (_hostname, opts, callback) => {
          if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: Array<{ address: string; family: number }>) => void)(null, [{ address, family }]);
          else callback(null, address, family);
        },
        servername: net_isIp(host) ? undefined : host,
        ca: options.ca,
        headers: { accept: "application/json" },
        timeout: options.timeoutMs,
      },
      (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new OAuthProblem("invalid_client", `The client's metadata document answered HTTP ${response.statusCode} (redirects are not followed).`));
          return;
        }
        let size = 0;
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxBytes) {
            request.destroy();
            reject(new OAuthProblem("invalid_client", `The client's metadata document is larger than ${options.maxBytes} bytes.`));
            return;
          }
          chunks.push(chunk);
        });
        response.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        response.on("error", reject);
      },
    );
    request.on("timeout", () => request.destroy(new OAuthProblem("invalid_client", "The client's metadata document did not answer in time.")));
    request.on("error", (err) => reject(err instanceof OAuthProblem ? err : new OAuthProblem("invalid_client", "The client's metadata document could not be fetched.")));
  });
  try {
    return JSON.parse(text);
  } catch {
    throw new OAuthProblem("invalid_client", "The client's metadata document is not JSON.");
  }
}

function net_isIp(host: string): boolean {
  return /^[0-9.]+$/.test(host) || host.includes(":");
}

/** How long a fetched metadata document is trusted before it is fetched again. */
const METADATA_MAX_AGE_MS = 3600_000;

/**
 * The client a `client_id` names: a registered one, or the metadata document at that URL
 * (fetched, checked — its client_id must be that URL — and kept for an hour).
 */
export async function resolveClient(db: McpOauthDb, clientId: string, fetchOptions: MetadataFetchOptions): Promise<ClientRow> {
  const known = await db.selectFrom("mcp_oauth_clients").selectAll().where("client_id", "=", clientId).executeTakeFirst();
  if (!isMetadataClientId(clientId)) {
    if (!known) throw new OAuthProblem("invalid_client", "Unknown client_id: register the client first.", 401);
    return known;
  }
  if (known && known.fetched_at && Date.now() - known.fetched_at.getTime() < METADATA_MAX_AGE_MS) return known;
  const document = await fetchMetadataDocument(clientId, fetchOptions);
  const parsed = clientMetadataSchema.extend({ client_id: z.string() }).safeParse(document);
  if (!parsed.success) throw new OAuthProblem("invalid_client", `The client's metadata document is not valid: ${firstIssue(parsed.error)}.`);
  if (parsed.data.client_id !== clientId) throw new OAuthProblem("invalid_client", "The client's metadata document names another client_id.");
  const missing = redirectsProblem(parsed.data);
  if (missing) throw new OAuthProblem("invalid_client", `The client's metadata document is not valid: ${missing}.`);
  const values = {
    client_name: parsed.data.client_name || new URL(clientId).host,
    client_uri: parsed.data.client_uri ?? null,
    redirect_uris: parsed.data.redirect_uris,
    metadata: JSON.stringify(parsed.data),
    fetched_at: new Date(),
  };
  return db
    .insertInto("mcp_oauth_clients")
    .values({ client_id: clientId, kind: "metadata", registration_key: null, last_used_at: null, ...values })
    .onConflict((oc) => oc.column("client_id").doUpdateSet(values))
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** Where a client comes from, for the consent screen: its metadata URL's host, else its redirect URI's origin. */
export function clientOrigin(client: Pick<ClientRow, "kind" | "client_id" | "redirect_uris">): string {
  const from = client.kind === "metadata" ? client.client_id : client.redirect_uris[0];
  // A device client (RFC 8628) has no web address: it runs in a terminal.
  if (from === undefined) return "command line";
  try {
    return new URL(from).origin;
  } catch {
    return "unknown";
  }
}

/**
 * Removes registrations nobody used: registered clients with no grant that are older than a
 * day, and whose grants are all revoked and unused for 90 days. Returns how many went.
 */
export async function removeUnusedClients(db: McpOauthDb, now = new Date()): Promise<number> {
  const dayAgo = new Date(now.getTime() - 86_400_000);
  const result = await db
    .deleteFrom("mcp_oauth_clients")
    .where("kind", "=", "registered")
    .where("created_at", "<", dayAgo)
    .where((eb) => eb.or([eb("last_used_at", "is", null), eb("last_used_at", "<", new Date(now.getTime() - 90 * 86_400_000))]))
    .where((eb) => eb.not(eb.exists(eb.selectFrom("mcp_oauth_grants").select("id").whereRef("mcp_oauth_grants.client_pk", "=", "mcp_oauth_clients.id").where("revoked_at", "is", null))))
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
