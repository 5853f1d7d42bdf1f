/**
 * Org sign-in policy: an org may require that its members' sessions come from one provider
 * (Okta, GitHub …), and may let people whose provider-verified address is at its domain join
 * by signing in (with a default role, never owner). See docs/sign-in.md and ADR 012.
 *
 * - Sessions record how they were signed in (`sessions.sign_in_method`, `sign_in_provider`),
 *   set by `startSession`.
 * - The org guard (src/kernel/trpc.ts) calls `enforceSignInPolicy` for every org- and
 *   project-scoped call, after membership is settled (so a non-member still sees 404).
 * - Access tokens created before the requirement was switched on are refused; newer ones were
 *   created through a session that satisfied it (creating a token passes the same guard).
 */
import { sql, type ColumnType, type Kysely, type Transaction } from "kysely";
import { TRPCError } from "@trpc/server";
import { writeAudit } from "../audit";
import type { KernelDatabase, Role } from "../db/schema";
import type { Kernel } from "../kernel";
import { applyScope } from "../scope";
import type { SignedInActor } from "../actor";
import { FieldErrors } from "../errors";
import { signInProviders } from "./providers";
import type { AuthCache } from "./cache";

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type SignInPolicyTables = {
  org_sign_in_policies: {
    org_id: string;
    required_provider: string | null;
    required_since: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    auto_join_domain: string | null;
    auto_join_role: ColumnType<AutoJoinRole, AutoJoinRole | undefined, AutoJoinRole>;
    updated_by: string | null;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  /** The columns migration 003 adds to the kernel's sessions table. */
  sessions: {
    sign_in_method: string | null;
    sign_in_provider: string | null;
  };
};

export type AutoJoinRole = Exclude<Role, "owner">;
export const AUTO_JOIN_ROLES: readonly AutoJoinRole[] = ["viewer", "editor", "admin"];

export type PolicyDb = Kysely<KernelDatabase & SignInPolicyTables>;

export function policyDb(db: Kysely<KernelDatabase>): PolicyDb {
  return db.withTables<SignInPolicyTables>();
}

/** `method` as `startSession` receives it ("password", "password_reset", "oidc:okta", "github") → what a session records. */
export function sessionSignInOf(method: string, provider?: string | null): { method: string; provider: string | null } {
  const at = method.indexOf(":");
  const kind = at >= 0 ? method.slice(0, at) : method;
  return { method: kind.slice(0, 40), provider: (provider ?? (at >= 0 ? method.slice(at + 1) : null))?.slice(0, 40) ?? null };
}

/** The label of a provider id: its configured name, else the id. */
export function providerName(kernel: Pick<Kernel, "plugins">, id: string): string {
  try {
    return signInProviders(kernel.plugins).find((p) => p.id === id)?.name ?? id;
  } catch {
    return id;
  }
}

/** The message (and error) for a session that does not satisfy an org's requirement. */
export function policyRefusal(kernel: Pick<Kernel, "plugins">, requiredProvider: string): TRPCError {
  const name = providerName(kernel, requiredProvider);
  // The field key names the provider so the UI can offer "Sign in with <name>" (src/ui/settings/SignInRequired.tsx).
  return new TRPCError({
    code: "FORBIDDEN",
    message: `This organization requires signing in with ${name}.`,
    cause: new FieldErrors({ [`signInWith.${requiredProvider}`]: [`This organization requires signing in with ${name}.`] }),
  });
}

/** The provider the caller's session was signed in with (null for tokens, old sessions, passwords). */
export async function sessionProviderOf(db: Kysely<KernelDatabase>, actor: SignedInActor): Promise<string | null> {
  if (actor.kind !== "user" || !actor.sessionId) return null;
  const row = await policyDb(db).selectFrom("sessions").select("sign_in_provider").where("id", "=", actor.sessionId).executeTakeFirst();
  return row?.sign_in_provider ?? null;
}

/**
 * Refuses (403) a caller whose way of signing in does not satisfy the org's policy. Runs in
 * the guard's transaction once membership is known; leaves the scope set to the org. `scoped`:
 * the transaction is already under (caller, org) and has written nothing (the org guard), so
 * the answers may come from the instance's cache.
 */
export async function enforceSignInPolicy(
  kernel: Pick<Kernel, "plugins"> & { authCache?: AuthCache },
  trx: Transaction<KernelDatabase>,
  actor: SignedInActor,
  orgId: string,
  options: { scoped?: boolean } = {},
): Promise<void> {
  if (!options.scoped) await applyScope(trx, { userId: actor.userId, orgId });
  const db = policyDb(trx);
  // Read at the start of the guard's transaction, before it writes: safe to share (src/kernel/auth/cache.ts).
  const cache = options.scoped ? kernel.authCache : undefined;
  const cached = <T>(key: string, tags: string[], load: () => Promise<T>) => (cache ? cache.get(key, load, () => tags, () => true) : load());
  const policy = await cached(`policy:${orgId}`, [`p:${orgId}`, `o:${orgId}`], async () =>
    (await db.selectFrom("org_sign_in_policies").select(["required_provider", "required_since"]).where("org_id", "=", orgId).executeTakeFirst()) ?? null,
  );
  if (!policy?.required_provider) return;
  if (actor.kind === "token") {
    const created = await cached(`token-created:${actor.tokenId}`, [`t:${actor.tokenId}`], async () =>
      (await trx.selectFrom("api_tokens").select("created_at").where("id", "=", actor.tokenId).executeTakeFirst())?.created_at ?? null,
    );
    if (created && policy.required_since && created.getTime() >= policy.required_since.getTime()) return;
    throw policyRefusal(kernel, policy.required_provider);
  }
  const provider = actor.sessionId
    ? await cached(`session-provider:${actor.sessionId}`, [`s:${actor.sessionId}`], () => sessionProviderOf(trx, actor))
    : await sessionProviderOf(trx, actor);
  if (provider === policy.required_provider) return;
  throw policyRefusal(kernel, policy.required_provider);
}

/** The domain of an address, lower-case; "" when there is none. */
export function domainOf(email: string): string {
  const at = email.lastIndexOf("@");
  return at >= 0 ? email.slice(at + 1).trim().toLowerCase() : "";
}

/**
 * After a provider sign-in with a verified address: joins the person to every org whose policy
 * auto-joins that domain (and, if the org requires a provider, only when it is this one), with
 * the org's default role. Existing memberships are left as they are. Never throws: a failure
 * here must not undo the sign-in (it is logged with ids only).
 */
export async function autoJoinOrgs(
  kernel: Kernel,
  opts: { userId: string; email: string; provider: string; ip?: string | null; requestId?: string | null },
): Promise<string[]> {
  const domain = domainOf(opts.email);
  if (!domain) return [];
  const joined: string[] = [];
  try {
    const candidates = await sql<{ org_id: string; role: AutoJoinRole; required_provider: string | null }>`select * from atrium_auto_join_orgs(${domain})`.execute(kernel.db);
    for (const org of candidates.rows) {
      if (org.required_provider && org.required_provider !== opts.provider) continue;
      await kernel.withScope({ userId: opts.userId, orgId: org.org_id }, async (trx) => {
        const added = await trx
          .insertInto("memberships")
          .values({ org_id: org.org_id, user_id: opts.userId, role: org.role })
          .onConflict((oc) => oc.columns(["org_id", "user_id"]).doNothing())
          .returning("org_id")
          .executeTakeFirst();
        if (!added) return;
        joined.push(org.org_id);
        await writeAudit(
          trx,
          { kind: "user", userId: opts.userId },
          { action: "org.member.auto_joined", orgId: org.org_id, target: { type: "user", id: opts.userId }, data: { role: org.role, provider: opts.provider, domain } },
          { ip: opts.ip ?? null, requestId: opts.requestId ?? null },
        );
      });
    }
  } catch (err) {
    kernel.log.warn({ component: "sign-in-policy", userId: opts.userId, err: err instanceof Error ? err.name : "unknown", requestId: opts.requestId }, "auto-join failed");
  }
  return joined;
}
