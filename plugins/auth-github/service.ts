/**
 * The GitHub sign-in flow (an OAuth app, github.com or GitHub Enterprise Server), framework-free
 * so the kernel's routes and the tests drive it the same way: `beginGithubSignIn` (state and a
 * PKCE verifier kept server-side, hashed state only) and `completeGithubSignIn` (code exchange,
 * the account and its primary verified email from the REST API, account lookup or link or
 * creation, session).
 *
 * OAuth 2 requests go through arctic's generic `OAuth2Client` (its `GitHub` class is fixed to
 * github.com); see docs/decisions/012-sign-in-providers-and-policy.md.
 *
 * Linking policy (as for OIDC): a GitHub account joins an existing Atrium account only when
 * (1) the person is signed in when they start the flow (and still is at the callback), or
 * (2) GitHub vouches for the account's email as the person's *primary, verified* address and
 * that account's address was verified by its owner too (else refused: `account_unverified`).
 * Otherwise a new account is created with that address. No primary verified address: refused.
 *
 * Nothing that holds a code, state, verifier or token is logged or audited.
 */
import { CodeChallengeMethod, generateCodeVerifier, generateState, OAuth2Client, OAuth2RequestError, ArcticFetchError } from "arctic";
import type { ColumnType, Generated, Kysely } from "kysely";
import { writeAudit } from "~/kernel/audit";
import type { ProviderCallbackRequest, ProviderCallbackResult } from "~/kernel/auth/providers";
import { errorName, failureLocation, hashFlowState, providerCallbackUrl, safeNextPath } from "~/kernel/auth/redirects";
import { startSession } from "~/kernel/auth/sign-in";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import type { GithubConfig } from "./config";

/* ----------------------------------------------------------------------------------------
 * Tables
 * ------------------------------------------------------------------------------------- */

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type AuthGithubTables = {
  auth_github_identities: {
    id: Generated<string>;
    host: string;
    github_id: string;
    login: string;
    user_id: string;
    email: string | null;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
    last_used_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  };
  auth_github_flows: {
    state_hash: string;
    code_verifier: string;
    next: string;
    link_user_id: string | null;
    expires_at: ColumnType<Date, Date | string, Date | string>;
    created_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
};

export type GithubDb = Kysely<KernelDatabase & AuthGithubTables>;

export function githubDb(db: Kysely<KernelDatabase>): GithubDb {
  return db.withTables<AuthGithubTables>();
}

/* ----------------------------------------------------------------------------------------
 * Failures
 * ------------------------------------------------------------------------------------- */

/** Why a sign-in failed; the code travels to `/sign-in?error=<code>` (src/kernel/auth/provider-errors.ts). */
export type GithubFailureReason =
  | "access_denied"
  | "provider_error"
  | "state_invalid"
  | "token_invalid"
  | "email_unverified"
  | "provider_unreachable"
  | "identity_in_use"
  | "account_unverified"
  | "account_disabled";

export class GithubFailure extends Error {
  constructor(
    readonly reason: GithubFailureReason,
    /** A short, secret-free detail for the audit event (never a code or token). */
    readonly detail?: string,
  ) {
    super(`GitHub sign-in failed: ${reason}`);
  }
}

export const FLOW_TTL_MS = 10 * 60 * 1000;
/** How long one request to GitHub may take. */
export const REQUEST_TIMEOUT_MS = 10_000;
const SCOPES = ["read:user", "user:email"];

function client(config: GithubConfig, publicUrl: string): OAuth2Client {
  return new OAuth2Client(config.clientId, config.clientSecret, providerCallbackUrl(publicUrl, config.id));
}

/** A provider that does not answer in time counts as unreachable (arctic's fetch takes no signal). */
function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new GithubFailure("provider_unreachable", `${what}:timeout`)), REQUEST_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/* ----------------------------------------------------------------------------------------
 * The flow
 * ------------------------------------------------------------------------------------- */

/** Starts a sign-in: stores the flow, answers GitHub's authorization URL. */
export async function beginGithubSignIn(kernel: Kernel, config: GithubConfig, opts: { next?: string | null; linkUserId?: string | null }): Promise<URL> {
  const state = generateState();
  const codeVerifier = generateCodeVerifier();
  const db = githubDb(kernel.db);
  await db.deleteFrom("auth_github_flows").where("expires_at", "<", new Date()).execute();
  await db
    .insertInto("auth_github_flows")
    .values({
      state_hash: hashFlowState(state),
      code_verifier: codeVerifier,
      next: safeNextPath(opts.next),
      link_user_id: opts.linkUserId ?? null,
      expires_at: new Date(Date.now() + FLOW_TTL_MS),
    })
    .execute();
  // GitHub honours PKCE (S256) for OAuth apps; a server that ignores it still gets the state check.
  return client(config, kernel.config.publicUrl).createAuthorizationURLWithPKCE(config.authorizeUrl, state, CodeChallengeMethod.S256, codeVerifier, SCOPES);
}

/**
 * Finishes a sign-in from GitHub's redirect (`search` is the callback's query string). Never
 * throws for a failed sign-in: it audits `auth.github.failed` and answers where to go.
 */
export async function completeGithubSignIn(kernel: Kernel, config: GithubConfig, search: URLSearchParams, req: ProviderCallbackRequest): Promise<ProviderCallbackResult> {
  try {
    const { userId, next } = await callback(kernel, config, search, req);
    return { location: next, userId, reason: null };
  } catch (err) {
    const failure = err instanceof GithubFailure ? err : new GithubFailure("token_invalid", errorName(err));
    if (!(err instanceof GithubFailure)) {
      kernel.log.warn({ plugin: "auth-github", err: errorName(err), requestId: req.requestId }, "GitHub callback failed");
    }
    await writeAudit(
      kernel.db,
      req.signedInUserId ? { kind: "user", userId: req.signedInUserId } : { kind: "anonymous" },
      { action: "auth.github.failed", data: { provider: config.id, reason: failure.reason, ...(failure.detail ? { detail: failure.detail.slice(0, 80) } : {}) } },
      { ip: req.ip, requestId: req.requestId },
    );
    kernel.log.info({ plugin: "auth-github", reason: failure.reason, requestId: req.requestId }, "GitHub sign-in refused");
    return { location: failureLocation(failure.reason, req.signedInUserId !== null), userId: null, reason: failure.reason };
  }
}

async function takeFlow(db: GithubDb, state: string | null) {
  if (!state) throw new GithubFailure("state_invalid", "missing");
  // Single use: the row is deleted as it is read, so a replay finds nothing.
  const flow = await db.deleteFrom("auth_github_flows").where("state_hash", "=", hashFlowState(state)).returningAll().executeTakeFirst();
  if (!flow) throw new GithubFailure("state_invalid", "unknown_or_used");
  if (flow.expires_at.getTime() < Date.now()) throw new GithubFailure("state_invalid", "expired");
  return flow;
}

interface GithubUser {
  id: string;
  login: string;
  name: string | null;
}

/** GET on GitHub's REST API with the person's token; the JSON body. */
async function api(config: GithubConfig, accessToken: string, path: string): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(`${config.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${accessToken}`, accept: "application/vnd.github+json", "user-agent": "Atrium", "x-github-api-version": "2022-11-28" },
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      redirect: "error",
    });
  } catch (err) {
    throw new GithubFailure("provider_unreachable", `api:${errorName(err)}`);
  }
  if (response.status >= 500) {
    await response.body?.cancel();
    throw new GithubFailure("provider_unreachable", `api:${response.status}`);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new GithubFailure("provider_error", `api:${response.status}`);
  }
  try {
    return await response.json();
  } catch {
    throw new GithubFailure("provider_error", "api:not_json");
  }
}

async function fetchUser(config: GithubConfig, accessToken: string): Promise<GithubUser> {
  const body = (await api(config, accessToken, "/user")) as { id?: unknown; login?: unknown; name?: unknown } | null;
  if (!body || (typeof body.id !== "number" && typeof body.id !== "string") || typeof body.login !== "string") throw new GithubFailure("provider_error", "api:user_shape");
  return { id: String(body.id), login: body.login.slice(0, 100), name: typeof body.name === "string" ? body.name : null };
}

/** The primary address, and only if GitHub says it is verified. */
async function fetchPrimaryVerifiedEmail(config: GithubConfig, accessToken: string): Promise<string | null> {
  const body = await api(config, accessToken, "/user/emails");
  if (!Array.isArray(body)) throw new GithubFailure("provider_error", "api:emails_shape");
  const primary = body.find((e: { primary?: unknown }) => e && e.primary === true) as { email?: unknown; verified?: unknown } | undefined;
  if (!primary || primary.verified !== true || typeof primary.email !== "string" || !primary.email.includes("@")) return null;
  return primary.email.trim().toLowerCase();
}

async function exchangeCode(kernel: Kernel, config: GithubConfig, code: string, codeVerifier: string): Promise<string> {
  let data: Record<string, unknown>;
  try {
    const tokens = await withTimeout(client(config, kernel.config.publicUrl).validateAuthorizationCode(config.tokenUrl, code, codeVerifier), "token");
    data = tokens.data as Record<string, unknown>;
  } catch (err) {
    if (err instanceof GithubFailure) throw err;
    if (err instanceof ArcticFetchError) throw new GithubFailure("provider_unreachable", `token:${errorName(err.cause)}`);
    if (err instanceof OAuth2RequestError) throw new GithubFailure("provider_error", `token:${err.code.replace(/[^a-z_]/g, "").slice(0, 40)}`);
    throw new GithubFailure("provider_error", `token:${errorName(err)}`);
  }
  // GitHub answers a bad code with 200 and `{ error: "bad_verification_code" }`.
  if (typeof data.error === "string") throw new GithubFailure("provider_error", `token:${data.error.replace(/[^a-z_]/g, "").slice(0, 40)}`);
  if (typeof data.access_token !== "string" || !data.access_token) throw new GithubFailure("token_invalid", "token:no_access_token");
  return data.access_token;
}

async function callback(kernel: Kernel, config: GithubConfig, search: URLSearchParams, req: ProviderCallbackRequest): Promise<{ userId: string; next: string }> {
  const db = githubDb(kernel.db);
  const error = search.get("error");
  if (error) {
    // Close the flow too, so its state cannot be used again.
    await takeFlow(db, search.get("state")).catch(() => null);
    throw new GithubFailure(error === "access_denied" ? "access_denied" : "provider_error", error.replace(/[^a-z_]/g, "").slice(0, 40));
  }
  const flow = await takeFlow(db, search.get("state"));
  const code = search.get("code");
  if (!code) throw new GithubFailure("provider_error", "no_code");

  const accessToken = await exchangeCode(kernel, config, code, flow.code_verifier);
  const account = await fetchUser(config, accessToken);
  const email = await fetchPrimaryVerifiedEmail(config, accessToken);
  if (!email) throw new GithubFailure("email_unverified", "no_primary_verified");
  const host = new URL(config.baseUrl).host;

  const userId = await kernel.db.transaction().execute(async (trx) => {
    const tdb = githubDb(trx);
    const existing = await tdb.selectFrom("auth_github_identities").select(["id", "user_id"]).where("host", "=", host).where("github_id", "=", account.id).executeTakeFirst();
    const link = async (toUserId: string, how: string) => {
      await tdb.insertInto("auth_github_identities").values({ host, github_id: account.id, login: account.login, user_id: toUserId, email }).execute();
      await writeAudit(trx, { kind: "user", userId: toUserId }, { action: "auth.github.linked", data: { provider: config.id, login: account.login, how } }, { ip: req.ip, requestId: req.requestId });
    };
    if (flow.link_user_id) {
      // Linking: the person who started the flow must still be the one signed in here.
      if (req.signedInUserId !== flow.link_user_id) throw new GithubFailure("state_invalid", "session_changed");
      if (existing && existing.user_id !== flow.link_user_id) throw new GithubFailure("identity_in_use");
      if (!existing) await link(flow.link_user_id, "signed-in");
      return flow.link_user_id;
    }
    if (existing) {
      await tdb.updateTable("auth_github_identities").set({ last_used_at: new Date(), email, login: account.login }).where("id", "=", existing.id).execute();
      return existing.user_id;
    }
    const user = await trx.selectFrom("users").select(["id", "email_verified_at"]).where("email", "=", email).executeTakeFirst();
    if (user) {
      // Only an account whose owner proved the address is linked by email (pre-hijacking).
      if (!user.email_verified_at) throw new GithubFailure("account_unverified");
      await link(user.id, "verified-email");
      return user.id;
    }
    const created = await trx
      .insertInto("users")
      .values({ email, name: (account.name ?? account.login).slice(0, 100), email_verified_at: new Date() })
      .returning("id")
      .executeTakeFirstOrThrow();
    await tdb.insertInto("auth_github_identities").values({ host, github_id: account.id, login: account.login, user_id: created.id, email }).execute();
    await writeAudit(trx, { kind: "user", userId: created.id }, { action: "auth.github.signed_up", data: { provider: config.id, login: account.login } }, { ip: req.ip, requestId: req.requestId });
    return created.id;
  });

  try {
    await startSession({ kernel, resHeaders: req.resHeaders, ip: req.ip, userAgent: req.userAgent, requestId: req.requestId }, userId, `github:${config.id}`, {
      provider: config.id,
      verifiedEmail: email,
    });
  } catch {
    throw new GithubFailure("account_disabled");
  }
  return { userId, next: flow.next };
}
