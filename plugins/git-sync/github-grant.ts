/**
 * A person's GitHub grant: the GitHub App's user-to-server token from the install callback (ADR
 * 035), kept encrypted and bound to the person in `git_sync_github_grants`, with — when GitHub
 * makes it expire (eight hours) — its refresh token (single use, about six months; encrypted the
 * same way) and both expiries.
 *
 * `withGithubGrant` is how the grant is used: refreshed first when it expires within five
 * minutes, and once more after GitHub answers 401 to it. A refresh spends the refresh token, so
 * two requests must never both spend it: the refresh runs in its own transaction holding the
 * person's row (`select … for update`) and re-reads it once it has the lock; one that finds the
 * grant already replaced uses the new one. A refresh GitHub refuses (expired, revoked, already
 * used) deletes the grant, and the person gets the "authorize again" answer (a 422 on
 * `installationId`). The tokens never reach logs, responses or audit data.
 */
import type { Generated, Kysely } from "kysely";
import { secretBox } from "~/kernel/crypto";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { githubSite } from "./github";
import { githubAppFromEnv, grantExpired, isUnauthorizedGrant, refreshUserToken, type GithubUserGrant } from "./github-app";

/** The grants table (migrations/2026-12-11-006-github-app.ts, 2026-12-12-008-github-grant-refresh.ts). */
export type GithubGrantTables = {
  git_sync_github_grants: {
    user_id: string;
    token: string;
    refresh_token: string | null;
    expires_at: Date | null;
    refresh_expires_at: Date | null;
    updated_at: Generated<Date>;
  };
};

/** How long before its expiry a user token is refreshed before use. */
export const REFRESH_MARGIN_MS = 5 * 60 * 1000;

const grantsOf = (db: Kysely<KernelDatabase>) => db.withTables<GithubGrantTables>();
const box = (kernel: Kernel) => secretBox(kernel.secret, "git-sync.github-grant");
/** The refresh token is sealed for its own context, so it can never be read back as the user token (or the other way round). */
const refreshContext = (userId: string) => `${userId}:refresh`;

type GrantRow = GithubGrantTables["git_sync_github_grants"];

/** A user token expiring within the margin, with a refresh token that has not expired: refresh it before use. */
function due(row: Pick<GrantRow, "expires_at" | "refresh_token">, now = Date.now()): boolean {
  return row.refresh_token !== null && row.expires_at !== null && row.expires_at.getTime() - now < REFRESH_MARGIN_MS;
}

/** Keeps a person's GitHub user token (and its refresh token and expiries, when it expires), encrypted and bound to them. */
export async function saveGithubGrant(kernel: Kernel, userId: string, grant: GithubUserGrant | string, db: Kysely<KernelDatabase> = kernel.db): Promise<void> {
  const g: GithubUserGrant = typeof grant === "string" ? { accessToken: grant, expiresAt: null, refreshToken: null, refreshExpiresAt: null } : grant;
  const values = {
    token: box(kernel).encrypt(g.accessToken, userId),
    refresh_token: g.refreshToken ? box(kernel).encrypt(g.refreshToken, refreshContext(userId)) : null,
    expires_at: g.expiresAt,
    refresh_expires_at: g.refreshToken ? g.refreshExpiresAt : null,
  };
  await grantsOf(db)
    .insertInto("git_sync_github_grants")
    .values({ user_id: userId, ...values })
    .onConflict((oc) => oc.column("user_id").doUpdateSet({ ...values, updated_at: new Date() }))
    .execute();
}

/** The person's stored GitHub user token as it is (not refreshed), or null when they have not authorized the GitHub App. */
export async function githubGrant(kernel: Kernel, userId: string): Promise<string | null> {
  const row = await grantsOf(kernel.db).selectFrom("git_sync_github_grants").select("token").where("user_id", "=", userId).executeTakeFirst();
  return row ? box(kernel).decrypt(row.token, userId) : null;
}

/** The token to use and the sealed form it was read as (which changes with every save: a refresh is seen by it). */
interface Usable {
  token: string;
  sealed: string;
}

/**
 * Refreshes the person's grant, once however many ask together: in its own transaction, holding
 * their row. `seen` is the sealed token the caller found wanting (about to expire, or refused
 * with 401). When the row holds another token by the time the lock is taken, someone refreshed
 * meanwhile and that token is the answer (unless it is due too). Null: no grant any more, or
 * none that can be refreshed; a refresh GitHub refuses, or a refresh token past its expiry,
 * deletes the grant first.
 */
export async function refreshGithubGrant(kernel: Kernel, userId: string, seen: string): Promise<Usable | null> {
  return kernel.db.transaction().execute(async (trx) => {
    const db = grantsOf(trx);
    const row = await db.selectFrom("git_sync_github_grants").selectAll().where("user_id", "=", userId).forUpdate().executeTakeFirst();
    if (!row) return null;
    if (row.token !== seen && !due(row)) return { token: box(kernel).decrypt(row.token, userId), sealed: row.token };
    if (!row.refresh_token) return null;
    const forget = async () => {
      await db.deleteFrom("git_sync_github_grants").where("user_id", "=", userId).execute();
      return null;
    };
    if (row.refresh_expires_at !== null && row.refresh_expires_at.getTime() <= Date.now()) return forget();
    const install = githubAppFromEnv()?.install;
    if (!install) return null;
    const refreshed = await refreshUserToken(githubSite(), install, box(kernel).decrypt(row.refresh_token, refreshContext(userId)));
    if (refreshed === "refused") return forget();
    // GitHub answering without a new refresh token: the old one is spent all the same.
    await saveGithubGrant(kernel, userId, refreshed, trx);
    const saved = await db.selectFrom("git_sync_github_grants").select("token").where("user_id", "=", userId).executeTakeFirstOrThrow();
    return { token: refreshed.accessToken, sealed: saved.token };
  });
}

/**
 * Runs `use` with the person's GitHub user token: refreshed first when it expires within five
 * minutes, and refreshed once more (then `use` runs again) when GitHub answers 401 to it. The
 * answer of `missing` when the person has no grant. A grant that cannot be refreshed any more
 * (GitHub refused the refresh: the grant is deleted) is a 422 on `installationId` saying to
 * authorize again.
 */
export async function withGithubGrant<T>(kernel: Kernel, userId: string, use: (userToken: string) => Promise<T>, missing: () => T | Promise<T>): Promise<T> {
  const row = await grantsOf(kernel.db).selectFrom("git_sync_github_grants").select(["token", "refresh_token", "expires_at"]).where("user_id", "=", userId).executeTakeFirst();
  if (!row) return missing();
  let current: Usable | null = { token: box(kernel).decrypt(row.token, userId), sealed: row.token };
  if (due(row)) {
    current = await refreshGithubGrant(kernel, userId, row.token);
    if (!current) throw grantExpired();
  }
  try {
    return await use(current.token);
  } catch (err) {
    if (!isUnauthorizedGrant(err)) throw err;
    const fresh = await refreshGithubGrant(kernel, userId, current.sealed);
    if (!fresh) throw err;
    return use(fresh.token);
  }
}
