/**
 * Org sign-in policy, end to end through the procedures and the org guard: requiring a provider
 * (and not locking yourself out), what happens to sessions and tokens signed in otherwise, and
 * auto-join for provider-verified addresses of a domain. GitHub sign-ins go through the real
 * flow against the GitHub-shaped test server.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import type { Actor } from "~/kernel/trpc";
import { useTestKernel } from "../setup/kernel";
import { callerFor, createOrg, createUser, unique } from "../setup/fixtures";
import { githubConfigFromEnv, type GithubConfig } from "../../plugins/auth-github/config";
import { beginGithubSignIn, completeGithubSignIn } from "../../plugins/auth-github/service";
import { startGithubTestServer, type GithubTestServer } from "../../plugins/auth-github/test-server";
import { autoJoinOrgs, policyDb } from "~/kernel/auth/policy";
import { resolveCaller } from "~/kernel/auth/request";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { startSession } from "~/kernel/auth/sign-in";

let gh: GithubTestServer;
let config: GithubConfig;
const ENV = ["AUTH_GITHUB_CLIENT_ID", "AUTH_GITHUB_CLIENT_SECRET", "AUTH_GITHUB_URL"] as const;
const saved: Record<string, string | undefined> = {};
let nextId = 5000;

const booted = useTestKernel();
beforeAll(async () => {
  gh = await startGithubTestServer();
  for (const key of ENV) saved[key] = process.env[key];
  process.env.AUTH_GITHUB_CLIENT_ID = gh.clientId;
  process.env.AUTH_GITHUB_CLIENT_SECRET = gh.clientSecret;
  process.env.AUTH_GITHUB_URL = gh.url;
  config = githubConfigFromEnv()!;
});
afterAll(async () => {
  for (const key of ENV) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  await gh?.close();
});

/** A browser session for `userId` signed in with `method`, as the guard sees it. */
async function sessionActor(userId: string, method = "password"): Promise<Actor> {
  const { kernel } = booted;
  const resHeaders = new Headers();
  await startSession({ kernel, resHeaders, ip: "127.0.0.1" }, userId, method);
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
  return (await resolveCaller(kernel, new Headers({ cookie: cookie.split(";")[0]! }))).actor;
}

/** Signs in through the GitHub flow (linking when `linkUserId`); answers the session's actor. */
async function githubSession(login: string, linkUserId: string | null = null): Promise<{ actor: Actor; userId: string }> {
  const { kernel } = booted;
  const url = await beginGithubSignIn(kernel, config, { linkUserId });
  const search = await gh.drive(url, { login });
  const resHeaders = new Headers();
  const result = await completeGithubSignIn(kernel, config, search, { resHeaders, ip: "127.0.0.1", requestId: unique("req"), signedInUserId: linkUserId });
  expect(result.reason).toBeNull();
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
  return { actor: (await resolveCaller(kernel, new Headers({ cookie: cookie.split(";")[0]! }))).actor, userId: result.userId! };
}

function githubAccount(email: string, verified = true) {
  const login = unique("octo");
  gh.accounts.set(login, { id: nextId++, login, emails: [{ email, primary: true, verified }] });
  return login;
}

async function verifiedUser(email?: string) {
  const { kernel } = booted;
  const user = await createUser(kernel, "Policy");
  if (email) await kernel.ownerDb.updateTable("users").set({ email }).where("id", "=", user.id).execute();
  await kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", user.id).execute();
  return { ...user, email: email ?? user.email };
}

const clear = { requiredProvider: null, autoJoinDomain: null, autoJoinRole: "viewer" } as const;

async function refusal(promise: Promise<unknown>) {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  return err as TRPCError;
}

describe("requiring a provider", () => {
  test("an owner signed in with a password cannot require GitHub (it would lock them out); signed in with GitHub they can", async () => {
    const { kernel } = booted;
    const owner = await verifiedUser();
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const withPassword = callerFor(kernel, await sessionActor(owner.id));
    const err = await refusal(withPassword.signIn.policy.update({ orgId: org.id, ...clear, requiredProvider: "github" }));
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/Sign in with GitHub first/);
    expect(await policyDb(kernel.ownerDb).selectFrom("org_sign_in_policies").select("org_id").where("org_id", "=", org.id).executeTakeFirst()).toBeUndefined();

    const { actor } = await githubSession(githubAccount(`${unique("own")}@example.test`), owner.id);
    const withGithub = callerFor(kernel, actor);
    expect(await withGithub.signIn.policy.get({ orgId: org.id })).toMatchObject({ requiredProvider: null, currentProvider: "github" });
    await withGithub.signIn.policy.update({ orgId: org.id, ...clear, requiredProvider: "github" });
    expect(await withGithub.signIn.policy.get({ orgId: org.id })).toMatchObject({ requiredProvider: "github", requiredProviderName: "GitHub" });
    // Now the password session is refused in this org, with the provider named.
    const refused = await refusal(withPassword.projects.list({ orgId: org.id }));
    expect(refused.code).toBe("FORBIDDEN");
    expect(refused.message).toBe("This organization requires signing in with GitHub.");
    const audit = await kernel.ownerDb.selectFrom("audit_events").select("data").where("org_id", "=", org.id).where("action", "=", "org.sign_in_policy.update").execute();
    expect(audit.map((a) => a.data)).toEqual([expect.objectContaining({ requiredProvider: "github" })]);
  });

  test("members: a password session is refused everywhere in the org (not elsewhere); a GitHub session passes; outsiders still see 404", async () => {
    const { kernel } = booted;
    const owner = await verifiedUser();
    const member = await verifiedUser();
    const outsider = await verifiedUser();
    const org = await createOrg(kernel, [
      { userId: owner.id, role: "owner" },
      { userId: member.id, role: "editor" },
    ]);
    const other = await createOrg(kernel, [{ userId: member.id, role: "editor" }]);
    await policyDb(kernel.ownerDb).insertInto("org_sign_in_policies").values({ org_id: org.id, required_provider: "github", required_since: new Date() }).execute();

    const memberPassword = callerFor(kernel, await sessionActor(member.id));
    const refused = await refusal(memberPassword.projects.list({ orgId: org.id }));
    expect(refused).toMatchObject({ code: "FORBIDDEN", message: "This organization requires signing in with GitHub." });
    await expect(memberPassword.projects.create({ orgId: org.id, slug: "nope", name: "Nope" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await memberPassword.projects.list({ orgId: other.id })).toMatchObject({ items: expect.any(Array) });
    // The org itself is still found (so the page can say what to do).
    expect(await memberPassword.orgs.bySlug({ slug: org.slug })).toMatchObject({ id: org.id });
    // Asked with a project, the org comes without it: projects.bySlug then says why.
    await kernel.ownerDb.insertInto("projects").values({ org_id: org.id, slug: "guarded", name: "Guarded" }).execute();
    expect(await memberPassword.orgs.bySlug({ slug: org.slug, projectSlug: "guarded" })).not.toHaveProperty("project");
    await expect(memberPassword.projects.bySlug({ orgId: org.id, slug: "guarded" })).rejects.toMatchObject({ code: "FORBIDDEN" });

    const { actor } = await githubSession(githubAccount(`${unique("mem")}@example.test`), member.id);
    expect(await callerFor(kernel, actor).projects.list({ orgId: org.id })).toMatchObject({ items: expect.any(Array) });

    const outsiderCaller = callerFor(kernel, await sessionActor(outsider.id));
    await expect(outsiderCaller.projects.list({ orgId: org.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  test("access tokens created before the requirement are refused; tokens created after (through a GitHub session) work", async () => {
    const { kernel } = booted;
    const owner = await verifiedUser();
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const tokenRow = async (createdAt: Date) => {
      const row = await kernel.ownerDb
        .insertInto("api_tokens")
        .values({ user_id: owner.id, org_id: org.id, name: "t", token_hash: hashApiToken(generateApiToken()), scopes: ["read", "write"], created_at: createdAt })
        .returning("id")
        .executeTakeFirstOrThrow();
      return callerFor(kernel, { kind: "token", userId: owner.id, orgId: org.id, tokenId: row.id, scopes: ["read", "write"] });
    };
    const old = await tokenRow(new Date(Date.now() - 60_000));
    expect(await old.projects.list({ orgId: org.id })).toMatchObject({ items: expect.any(Array) });
    await policyDb(kernel.ownerDb).insertInto("org_sign_in_policies").values({ org_id: org.id, required_provider: "github", required_since: new Date() }).execute();
    await expect(old.projects.list({ orgId: org.id })).rejects.toMatchObject({ code: "FORBIDDEN", message: "This organization requires signing in with GitHub." });
    const fresh = await tokenRow(new Date(Date.now() + 1000));
    expect(await fresh.projects.list({ orgId: org.id })).toMatchObject({ items: expect.any(Array) });
    // A token cannot switch a requirement on (it has no sign-in of its own); it may switch it off.
    await fresh.signIn.policy.update({ orgId: org.id, ...clear });
    const err = await refusal(fresh.signIn.policy.update({ orgId: org.id, ...clear, requiredProvider: "github" }));
    expect(err.code).toBe("FORBIDDEN");
  });

  test("a provider that is not configured cannot be required (422 at the field); clearing needs no particular session", async () => {
    const { kernel } = booted;
    const owner = await verifiedUser();
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const caller = callerFor(kernel, await sessionActor(owner.id));
    const err = await refusal(caller.signIn.policy.update({ orgId: org.id, ...clear, requiredProvider: "okta" }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(await caller.signIn.policy.update({ orgId: org.id, ...clear })).toEqual({ ok: true });
  });
});

describe("auto-join", () => {
  test("a GitHub sign-in with a verified address at the org's domain joins with the default role (audited); other domains and passwords do not", async () => {
    const { kernel } = booted;
    const domain = `${unique("acme")}.test`;
    const owner = await verifiedUser(`owner@${domain}`);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const caller = callerFor(kernel, await sessionActor(owner.id));
    await caller.signIn.policy.update({ orgId: org.id, requiredProvider: null, autoJoinDomain: `@${domain.toUpperCase()}`, autoJoinRole: "editor" });
    expect(await caller.signIn.policy.get({ orgId: org.id })).toMatchObject({ autoJoinDomain: domain, autoJoinRole: "editor", myDomain: domain });

    const { userId } = await githubSession(githubAccount(`new.person@${domain}`));
    const membership = await kernel.ownerDb.selectFrom("memberships").select("role").where("org_id", "=", org.id).where("user_id", "=", userId).executeTakeFirst();
    expect(membership).toEqual({ role: "editor" });
    const audit = await kernel.ownerDb.selectFrom("audit_events").select(["data", "actor_user_id"]).where("org_id", "=", org.id).where("action", "=", "org.member.auto_joined").execute();
    expect(audit).toEqual([{ actor_user_id: userId, data: { role: "editor", provider: "github", domain } }]);

    const elsewhere = await githubSession(githubAccount(`someone@not-${domain}`));
    expect(await kernel.ownerDb.selectFrom("memberships").select("role").where("org_id", "=", org.id).where("user_id", "=", elsewhere.userId).executeTakeFirst()).toBeUndefined();

    // A password sign-in vouches for nothing: no auto-join.
    const local = await verifiedUser(`local@${domain}`);
    await sessionActor(local.id);
    expect(await kernel.ownerDb.selectFrom("memberships").select("role").where("org_id", "=", org.id).where("user_id", "=", local.id).executeTakeFirst()).toBeUndefined();
  });

  test("an existing member keeps their role; an org requiring another provider takes no one through GitHub", async () => {
    const { kernel } = booted;
    const domain = `${unique("keep")}.test`;
    const member = await verifiedUser(`member@${domain}`);
    const org = await createOrg(kernel, [{ userId: member.id, role: "admin" }]);
    const strict = await createOrg(kernel, []);
    await policyDb(kernel.ownerDb).insertInto("org_sign_in_policies").values({ org_id: org.id, auto_join_domain: domain, auto_join_role: "viewer" }).execute();
    await policyDb(kernel.ownerDb)
      .insertInto("org_sign_in_policies")
      .values({ org_id: strict.id, auto_join_domain: domain, auto_join_role: "viewer", required_provider: "okta", required_since: new Date() })
      .execute();
    expect(await autoJoinOrgs(kernel, { userId: member.id, email: member.email, provider: "github" })).toEqual([]);
    const role = await kernel.ownerDb.selectFrom("memberships").select("role").where("org_id", "=", org.id).where("user_id", "=", member.id).executeTakeFirst();
    expect(role).toEqual({ role: "admin" });
    expect(await kernel.ownerDb.selectFrom("memberships").select("role").where("org_id", "=", strict.id).where("user_id", "=", member.id).executeTakeFirst()).toBeUndefined();
    expect(await autoJoinOrgs(kernel, { userId: member.id, email: member.email, provider: "okta" })).toEqual([strict.id]);
  });

  test("never owner, only the admin's own verified domain, a well-formed domain", async () => {
    const { kernel } = booted;
    const domain = `${unique("own")}.test`;
    const owner = await verifiedUser(`owner@${domain}`);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const caller = callerFor(kernel, await sessionActor(owner.id));
    expect((await refusal(caller.signIn.policy.update({ orgId: org.id, requiredProvider: null, autoJoinDomain: domain, autoJoinRole: "owner" }))).code).toBe("UNPROCESSABLE_CONTENT");
    const other = await refusal(caller.signIn.policy.update({ orgId: org.id, requiredProvider: null, autoJoinDomain: "gmail.com", autoJoinRole: "viewer" }));
    expect(other.code).toBe("FORBIDDEN");
    expect(other.message).toMatch(/your own verified email domain/);
    expect((await refusal(caller.signIn.policy.update({ orgId: org.id, requiredProvider: null, autoJoinDomain: "not a domain", autoJoinRole: "viewer" }))).code).toBe("UNPROCESSABLE_CONTENT");
    // An admin may set it too (org.update); a viewer may not even read it.
    const viewer = await verifiedUser(`viewer@${domain}`);
    await kernel.ownerDb.insertInto("memberships").values({ org_id: org.id, user_id: viewer.id, role: "viewer" }).execute();
    await expect(callerFor(kernel, await sessionActor(viewer.id)).signIn.policy.get({ orgId: org.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});

describe("starting a session", () => {
  test("session, audit event and the cleared counter land together; a disabled person gets none of them", async () => {
    const { kernel } = booted;
    const key = `signin:acct:${unique("start")}@example.test`;
    const user = await createUser(kernel);
    await kernel.ownerDb.insertInto("rate_limits").values({ key, window_start: new Date(), count: 7 }).execute();
    const requestId = unique("req");
    const resHeaders = new Headers();
    const { token } = await startSession({ kernel, resHeaders, ip: "203.0.113.9", userAgent: "UA", requestId }, user.id, "password", { clearRateLimitKey: key });
    expect(resHeaders.getSetCookie().some((c) => c.startsWith(`${SESSION_COOKIE}=`))).toBe(true);
    const sessions = await policyDb(kernel.ownerDb).selectFrom("sessions").select(["user_id", "ip", "user_agent", "sign_in_method"]).where("user_id", "=", user.id).execute();
    expect(sessions).toEqual([{ user_id: user.id, ip: "203.0.113.9", user_agent: "UA", sign_in_method: "password" }]);
    const audit = await kernel.ownerDb.selectFrom("audit_events").select(["actor_kind", "action", "data", "ip"]).where("request_id", "=", requestId).execute();
    expect(audit).toEqual([{ actor_kind: "user", action: "auth.sign_in", data: { method: "password" }, ip: "203.0.113.9" }]);
    expect(await kernel.ownerDb.selectFrom("rate_limits").select("count").where("key", "=", key).executeTakeFirst()).toBeUndefined();
    expect(token).toMatch(/\S{20,}/);

    const other = await createUser(kernel);
    await kernel.ownerDb.insertInto("rate_limits").values({ key, window_start: new Date(), count: 3 }).execute();
    await kernel.ownerDb.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", other.id).execute();
    const refusedId = unique("req");
    const refused = await startSession({ kernel, resHeaders: new Headers(), ip: null, requestId: refusedId }, other.id, "password", { clearRateLimitKey: key }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe("FORBIDDEN");
    expect(await kernel.ownerDb.selectFrom("sessions").select("id").where("user_id", "=", other.id).execute()).toEqual([]);
    expect(await kernel.ownerDb.selectFrom("audit_events").select("id").where("request_id", "=", refusedId).execute()).toEqual([]);
    expect(await kernel.ownerDb.selectFrom("rate_limits").select("count").where("key", "=", key).executeTakeFirst()).toEqual({ count: 3 });
  });
});
