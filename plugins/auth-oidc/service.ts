/**
 * The OpenID Connect sign-in flow, framework-free so the API routes and the tests drive it the
 * same way: `beginSignIn` (state, nonce and PKCE kept server-side) and `completeSignIn`
 * (code exchange, ID token validation, account lookup or link or creation, session).
 *
 * Linking policy: a provider identity joins an existing account only when (1) the person is
 * signed in when they start the flow (and still is at the callback), or (2) the provider
 * vouches (`email_verified: true`) for the same email as the account's and that account's
 * address was verified by its owner too (else refused: `account_unverified`). Otherwise a new
 * account is created with that verified email. An unverified email is refused.
 *
 * Nothing that holds a code, state, nonce or token is logged or audited.
 */
import { createHash } from "node:crypto";
import type { ColumnType, Generated, Kysely } from "kysely";
import * as oidc from "openid-client";
import { writeAudit } from "~/kernel/audit";
import { failureLocation } from "~/kernel/auth/redirects";
import { startSession } from "~/kernel/auth/sign-in";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import type { OidcProviderConfig } from "./config";

/* ----------------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------------- */

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type AuthOidcTables = {
  auth_oidc_identities: {
    id: Generated<string>;
    provider: string;
    subject: string;
    user_id: string;
    email: string | null;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  };
  auth_oidc_flows: {
    state_hash: string;
    provider: string;
    code_verifier: string;
    nonce: string;
    next: string;
    link_user_id: string | null;
    expires_at: ColumnType<Date, Date | string, Date | string>;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
};

export type OidcDb = Kysely<KernelDatabase & AuthOidcTables>;

export function oidcDb(db: Kysely<KernelDatabase>): OidcDb {
  return db.withTables<AuthOidcTables>();
}

/* ----------------------------------------------------------------------------------------
 * Failures
 * ------------------------------------------------------------------------------------- */

/** Why a sign-in failed; the code travels to `/sign-in?error=<code>`. */
export type OidcFailureReason =
  | "unknown_provider"
  | "access_denied"
  | "provider_error"
  | "state_invalid"
  | "token_invalid"
  | "email_missing"
  | "email_unverified"
  | "provider_unreachable"
  | "identity_in_use"
  | "account_unverified"
  | "account_disabled";

export class OidcFailure extends Error {
  constructor(
    readonly reason: OidcFailureReason,
    /** A short, secret-free detail for the audit event (never a code or token). */
    readonly detail?: string,
  ) {
    super(`OIDC sign-in failed: ${reason}`);
  }
}

export const FLOW_TTL_MS = 10 * 60 * 1000;

export function hashState(state: string): string {
  return createHash("sha256").update(state).digest("hex");
}

/** Same-origin paths only; anything else (or the auth pages) goes home. */
export function safeNextPath(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  if (/^\/(sign-in|sign-up|auth)(\/|\?|$)/.test(next)) return "/";
  if ([...next].some((c) => c.charCodeAt(0) < 0x20)) return "/";
  return next;
}

export function callbackUrl(publicUrl: string, providerId: string): string {
  return `${publicUrl}/auth/${encodeURIComponent(providerId)}/callback`;
}

/* ----------------------------------------------------------------------------------------
 * Discovery (cached per provider)
 * ------------------------------------------------------------------------------------- */

const discoveries = new Map<string, Promise<oidc.Configuration>>();

function isLoopback(url: URL): boolean {
  return url.hostname === "localhost" || url.hostname === "127.0.0.1" || url.hostname === "[::1]";
}

/** The provider's metadata and keys by discovery, cached; a failure is not cached. */
export async function discover(provider: OidcProviderConfig): Promise<oidc.Configuration> {
  const key = `${provider.issuer}\n${provider.clientId}\n${hashState(provider.clientSecret)}`;
  let found = discoveries.get(key);
  if (!found) {
    const issuer = new URL(provider.issuer);
    // Plain http is accepted for a provider on this machine only (tests, local development).
    const insecure = issuer.protocol === "http:" && isLoopback(issuer);
    found = oidc.discovery(issuer, provider.clientId, provider.clientSecret, undefined, {
      timeout: 10,
      ...(insecure ? { execute: [oidc.allowInsecureRequests] } : {}),
    });
    discoveries.set(key, found);
    found.catch(() => discoveries.delete(key));
  }
  try {
    return await found;
  } catch (err) {
    throw new OidcFailure("provider_unreachable", errorName(err));
  }
}

/** Forgets cached discoveries (tests restart providers). */
export function clearDiscoveryCache(): void {
  discoveries.clear();
}

function errorName(err: unknown): string {
  if (err instanceof Error) return (err as { code?: string }).code ?? err.name;
  return "unknown";
}

/* ----------------------------------------------------------------------------------------
 * The flow
 * ------------------------------------------------------------------------------------- */

/** Starts a sign-in: stores the flow, answers the provider's authorization URL. */
export async function beginSignIn(
  kernel: Kernel,
  provider: OidcProviderConfig,
  opts: { next?: string | null; linkUserId?: string | null },
): Promise<URL> {
  const config = await discover(provider);
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const codeChallenge = await oidc.calculatePKCECodeChallenge(codeVerifier);
  const db = oidcDb(kernel.db);
  await db.deleteFrom("auth_oidc_flows").where("expires_at", "<", new Date()).execute();
  await db
    .insertInto("auth_oidc_flows")
    .values({
      state_hash: hashState(state),
      provider: provider.id,
      code_verifier: codeVerifier,
      nonce,
      next: safeNextPath(opts.next),
      link_user_id: opts.linkUserId ?? null,
      expires_at: new Date(Date.now() + FLOW_TTL_MS),
    })
    .execute();
  return oidc.buildAuthorizationUrl(config, {
    redirect_uri: callbackUrl(kernel.config.publicUrl, provider.id),
    scope: "openid email profile",
    response_type: "code",
    state,
    nonce,
    code_challenge: codeChallenge,
    code_challenge_method: "S256",
  });
}

export interface CallbackRequest {
  resHeaders: Headers;
  ip: string | null;
  userAgent?: string | null;
  requestId?: string | null;
  /** The person signed in on this browser at the callback, if any. */
  signedInUserId: string | null;
}

export interface CallbackResult {
  /** Where to send the browser: `next`, or `/sign-in?error=<code>` (`/account?error=<code>` when linking). */
  location: string;
  userId: string | null;
  reason: OidcFailureReason | null;
}

/**
 * Finishes a sign-in from the provider's redirect (`search` is the callback's query string).
 * Never throws for a failed sign-in: it audits `auth.oidc.failed` and answers where to go.
 */
export async function completeSignIn(
  kernel: Kernel,
  providers: readonly OidcProviderConfig[],
  providerId: string,
  search: URLSearchParams,
  req: CallbackRequest,
): Promise<CallbackResult> {
  try {
    const { userId, next } = await callback(kernel, providers, providerId, search, req);
    return { location: next, userId, reason: null };
  } catch (err) {
    const failure = err instanceof OidcFailure ? err : new OidcFailure("token_invalid", errorName(err));
    if (!(err instanceof OidcFailure)) {
      // The error's name and code only: its message may quote a response.
      kernel.log.warn({ plugin: "auth-oidc", provider: providerId, err: errorName(err), requestId: req.requestId }, "OIDC callback failed");
    }
    await writeAudit(
      kernel.db,
      req.signedInUserId ? { kind: "user", userId: req.signedInUserId } : { kind: "anonymous" },
      { action: "auth.oidc.failed", data: { provider: providerId.slice(0, 40), reason: failure.reason, ...(failure.detail ? { detail: failure.detail.slice(0, 80) } : {}) } },
      { ip: req.ip, requestId: req.requestId },
    );
    kernel.log.info({ plugin: "auth-oidc", provider: providerId.slice(0, 40), reason: failure.reason, requestId: req.requestId }, "OIDC sign-in refused");
    return { location: failureLocation(failure.reason, req.signedInUserId !== null), userId: null, reason: failure.reason };
  }
}

async function takeFlow(db: OidcDb, providerId: string, state: string | null) {
  if (!state) throw new OidcFailure("state_invalid", "missing");
  // Single use: the row is deleted as it is read, so a replay finds nothing.
  const flow = await db.deleteFrom("auth_oidc_flows").where("state_hash", "=", hashState(state)).returningAll().executeTakeFirst();
  if (!flow) throw new OidcFailure("state_invalid", "unknown_or_used");
  if (flow.provider !== providerId) throw new OidcFailure("state_invalid", "other_provider");
  if (flow.expires_at.getTime() < Date.now()) throw new OidcFailure("state_invalid", "expired");
  return { ...flow, state };
}

async function callback(
  kernel: Kernel,
  providers: readonly OidcProviderConfig[],
  providerId: string,
  search: URLSearchParams,
  req: CallbackRequest,
): Promise<{ userId: string; next: string }> {
  const provider = providers.find((p) => p.id === providerId);
  if (!provider) throw new OidcFailure("unknown_provider");
  const db = oidcDb(kernel.db);
  const error = search.get("error");
  if (error) {
    // Close the flow too, so its state cannot be used again.
    await takeFlow(db, providerId, search.get("state")).catch(() => null);
    throw new OidcFailure(error === "access_denied" ? "access_denied" : "provider_error", error.replace(/[^a-z_]/g, "").slice(0, 40));
  }
  const flow = await takeFlow(db, providerId, search.get("state"));
  const config = await discover(provider);

  const current = new URL(callbackUrl(kernel.config.publicUrl, provider.id));
  for (const [k, v] of search) current.searchParams.append(k, v);
  let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
  try {
    tokens = await oidc.authorizationCodeGrant(config, current, {
      pkceCodeVerifier: flow.code_verifier,
      expectedState: flow.state,
      expectedNonce: flow.nonce,
      idTokenExpected: true,
    });
  } catch (err) {
    if (err instanceof TypeError || (err as { code?: string }).code === "OAUTH_TIMEOUT" || (err as Error).name === "TimeoutError") {
      throw new OidcFailure("provider_unreachable", errorName(err));
    }
    if (err instanceof oidc.ResponseBodyError || err instanceof oidc.AuthorizationResponseError) {
      throw new OidcFailure("provider_error", String(err.error).replace(/[^a-z_]/g, "").slice(0, 40));
    }
    throw new OidcFailure("token_invalid", errorName(err));
  }
  const claims = tokens.claims();
  if (!claims) throw new OidcFailure("token_invalid", "no_id_token");
  const subject = claims.sub;

  let email = typeof claims.email === "string" ? claims.email : null;
  let verified = claims.email_verified === true;
  let name = typeof claims.name === "string" ? claims.name : null;
  if (!email) {
    try {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, subject);
      email = typeof info.email === "string" ? info.email : null;
      verified = info.email_verified === true;
      name ??= typeof info.name === "string" ? info.name : null;
    } catch (err) {
      throw new OidcFailure(err instanceof TypeError ? "provider_unreachable" : "token_invalid", `userinfo:${errorName(err)}`);
    }
  }
  if (!email) throw new OidcFailure("email_missing");
  if (!verified) throw new OidcFailure("email_unverified");
  email = email.trim().toLowerCase();

  const userId = await kernel.db.transaction().execute(async (trx) => {
    const tdb = oidcDb(trx);
    const existing = await tdb
      .selectFrom("auth_oidc_identities")
      .select(["id", "user_id"])
      .where("provider", "=", provider.id)
      .where("subject", "=", subject)
      .executeTakeFirst();
    if (flow.link_user_id) {
      // Linking: the person who started the flow must still be the one signed in here.
      if (req.signedInUserId !== flow.link_user_id) throw new OidcFailure("state_invalid", "session_changed");
      if (existing && existing.user_id !== flow.link_user_id) throw new OidcFailure("identity_in_use");
      if (!existing) {
        await tdb.insertInto("auth_oidc_identities").values({ provider: provider.id, subject, user_id: flow.link_user_id, email }).execute();
        await writeAudit(trx, { kind: "user", userId: flow.link_user_id }, { action: "auth.oidc.linked", data: { provider: provider.id, how: "signed-in" } }, { ip: req.ip, requestId: req.requestId });
      }
      return flow.link_user_id;
    }
    if (existing) {
      await tdb.updateTable("auth_oidc_identities").set({ last_used_at: new Date(), email }).where("id", "=", existing.id).execute();
      return existing.user_id;
    }
    const account = await trx.selectFrom("users").select(["id", "email_verified_at"]).where("email", "=", email).executeTakeFirst();
    if (account) {
      // An account whose owner never proved the address may have been set up by someone else
      // (pre-hijacking: sign up with a victim's email, wait for them to arrive by SSO). Only an
      // account with a verified address is linked by email; the owner can link while signed in.
      if (!account.email_verified_at) throw new OidcFailure("account_unverified");
      // The provider vouches for this very email, and so did the account's owner: link.
      await tdb.insertInto("auth_oidc_identities").values({ provider: provider.id, subject, user_id: account.id, email }).execute();
      await writeAudit(trx, { kind: "user", userId: account.id }, { action: "auth.oidc.linked", data: { provider: provider.id, how: "verified-email" } }, { ip: req.ip, requestId: req.requestId });
      return account.id;
    }
    const created = await trx
      .insertInto("users")
      .values({ email, name: (name ?? email.split("@")[0] ?? email).slice(0, 100), email_verified_at: new Date() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tdb.insertInto("auth_oidc_identities").values({ provider: provider.id, subject, user_id: created.id, email }).execute();
    await writeAudit(trx, { kind: "user", userId: created.id }, { action: "auth.oidc.signed_up", data: { provider: provider.id } }, { ip: req.ip, requestId: req.requestId });
    return created.id;
  });

  try {
    await startSession({ kernel, resHeaders: req.resHeaders, ip: req.ip, userAgent: req.userAgent, requestId: req.requestId }, userId, `oidc:${provider.id}`, {
      provider: provider.id,
      verifiedEmail: email,
    });
  } catch {
    throw new OidcFailure("account_disabled");
  }
  return { userId, next: flow.next };
}
