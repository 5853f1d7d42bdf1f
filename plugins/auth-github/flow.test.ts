/**
 * The GitHub sign-in flow against a local server speaking GitHub's OAuth and REST shapes
 * (test-server.ts), reached through `AUTH_GITHUB_URL` like a GitHub Enterprise Server: the code
 * flow end to end, each way it must fail (no session, an audit event, no secret stored), and
 * linking.
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { signInErrorMessage } from "~/kernel/auth/provider-errors";
import { policyDb } from "~/kernel/auth/policy";
import { resolveCaller } from "~/kernel/auth/request";
import { hashFlowState } from "~/kernel/auth/redirects";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { useTestKernel } from "../../tests/setup/kernel";
import { asUser, createUser, unique } from "../../tests/setup/fixtures";
import { hashPassword, passwordDb } from "../auth-password/service";
import { githubConfigFromEnv, type GithubConfig } from "./config";
import { beginGithubSignIn, completeGithubSignIn, FLOW_TTL_MS, githubDb } from "./service";
import { startGithubTestServer, type GithubTestServer } from "./test-server";

let gh: GithubTestServer;
let config: GithubConfig;
let nextId = 1000;

const booted = useTestKernel();
beforeAll(async () => {
  gh = await startGithubTestServer();
  config = githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: gh.clientId, AUTH_GITHUB_CLIENT_SECRET: gh.clientSecret, AUTH_GITHUB_URL: gh.url })!;
});
afterAll(async () => {
  await gh?.close();
});
beforeEach(() => {
  gh.apiFailure = null;
});

function person(opts: { email?: string; verified?: boolean; primary?: boolean; extra?: Array<{ email: string; primary: boolean; verified: boolean }> } = {}) {
  const login = unique("octo");
  const email = opts.email ?? `${unique("gh")}@example.test`;
  gh.accounts.set(login, {
    id: nextId++,
    login,
    name: "Mona Octocat",
    emails: [{ email, primary: opts.primary ?? true, verified: opts.verified ?? true }, ...(opts.extra ?? [])],
  });
  return { login, email };
}

async function finish(search: URLSearchParams, signedInUserId: string | null = null, cfg = config) {
  const { kernel } = booted;
  const resHeaders = new Headers();
  const requestId = unique("req");
  const result = await completeGithubSignIn(kernel, cfg, search, { resHeaders, ip: "127.0.0.1", userAgent: "vitest", requestId, signedInUserId });
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? null;
  return { result, cookie, requestId, signedIn: signedInUserId !== null };
}

/** The whole flow: start, GitHub's consent page, the callback. */
async function signIn(login: string, opts: { next?: string; signedInUserId?: string | null; deny?: boolean } = {}) {
  const { kernel } = booted;
  const url = await beginGithubSignIn(kernel, config, { next: opts.next, linkUserId: opts.signedInUserId ?? null });
  const search = await gh.drive(url, { login, deny: opts.deny });
  return { ...(await finish(search, opts.signedInUserId ?? null)), search, url };
}

async function sessionOf(cookie: string | null) {
  const { kernel } = booted;
  if (!cookie) return null;
  const { actor } = await resolveCaller(kernel, new Headers({ cookie: cookie.split(";")[0]! }));
  if (actor.kind !== "user") return null;
  const row = await policyDb(kernel.ownerDb).selectFrom("sessions").select(["sign_in_method", "sign_in_provider"]).where("id", "=", actor.sessionId!).executeTakeFirstOrThrow();
  return { userId: actor.userId, ...row };
}

async function expectFailure(outcome: { result: { userId: string | null; reason: string | null; location: string }; cookie: string | null; requestId: string; signedIn: boolean }, reason: string, secrets: Array<string | null | undefined> = []) {
  const { kernel } = booted;
  expect(outcome.result).toMatchObject({ userId: null, reason, location: outcome.signedIn ? `/account?error=${reason}#sign-in-methods` : `/sign-in?error=${reason}` });
  expect(outcome.cookie).toBeNull();
  expect(signInErrorMessage(reason)).toBeTruthy();
  const events = await kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("request_id", "=", outcome.requestId).execute();
  expect(events.map((e) => e.action)).toEqual(["auth.github.failed"]);
  expect(events[0]!.data).toMatchObject({ provider: "github", reason });
  const stored = JSON.stringify(events[0]!.data);
  for (const secret of secrets.filter(Boolean)) expect(stored).not.toContain(secret);
}

describe("the code flow", () => {
  test("a new person lands signed in at `next`, with a verified account for their primary GitHub email", async () => {
    const { kernel } = booted;
    const { login, email } = person({ extra: [{ email: `${unique("other")}@example.test`, primary: false, verified: true }] });
    const { result, cookie } = await signIn(login, { next: "/o/acme?tab=1" });
    expect(result).toMatchObject({ location: "/o/acme?tab=1", reason: null });
    const session = await sessionOf(cookie);
    expect(session).toEqual({ userId: result.userId, sign_in_method: "github", sign_in_provider: "github" });
    const user = await kernel.ownerDb.selectFrom("users").selectAll().where("id", "=", result.userId!).executeTakeFirstOrThrow();
    expect(user.email).toBe(email);
    expect(user.email_verified_at).not.toBeNull();
    expect(user.name).toBe("Mona Octocat");
    const identity = await githubDb(kernel.ownerDb).selectFrom("auth_github_identities").selectAll().where("login", "=", login).executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ user_id: result.userId, host: new URL(gh.url).host, github_id: String(gh.accounts.get(login)!.id) });

    // The second time, the same GitHub account finds the same Atrium account.
    const again = await signIn(login);
    expect(again.result).toMatchObject({ location: "/", userId: result.userId });
    // It went through the GHES-shaped endpoints only.
    expect(gh.requests).toEqual(expect.arrayContaining(["POST /login/oauth/access_token", "GET /api/v3/user", "GET /api/v3/user/emails"]));
  });

  test("the authorization URL carries state, PKCE (S256), the scopes and our callback; the flow keeps only a hash of the state", async () => {
    const { kernel } = booted;
    const url = await beginGithubSignIn(kernel, config, {});
    expect(`${url.origin}${url.pathname}`).toBe(`${gh.url}/login/oauth/authorize`);
    expect(url.searchParams.get("client_id")).toBe(gh.clientId);
    expect(url.searchParams.get("redirect_uri")).toBe(`${kernel.config.publicUrl}/auth/github/callback`);
    expect(url.searchParams.get("scope")).toBe("read:user user:email");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    const state = url.searchParams.get("state")!;
    expect(state.length).toBeGreaterThan(20);
    const flow = await githubDb(kernel.ownerDb).selectFrom("auth_github_flows").selectAll().where("state_hash", "=", hashFlowState(state)).executeTakeFirstOrThrow();
    expect(JSON.stringify(flow)).not.toContain(state);
    expect(flow.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(FLOW_TTL_MS);
    expect(flow.expires_at.getTime() - Date.now()).toBeGreaterThan(FLOW_TTL_MS - 60_000);
  });
});

describe("failures: no session, an audit event, a message", () => {
  test("no verified primary email: refused (an unverified primary, or only a verified secondary)", async () => {
    const { kernel } = booted;
    const unverified = person({ verified: false });
    const a = await signIn(unverified.login);
    await expectFailure(a, "email_unverified", [a.search.get("code"), a.search.get("state")]);
    const secondaryOnly = person({ primary: false, extra: [{ email: `${unique("p")}@example.test`, primary: true, verified: false }] });
    await expectFailure(await signIn(secondaryOnly.login), "email_unverified");
    expect(await kernel.ownerDb.selectFrom("users").select("id").where("email", "=", unverified.email).executeTakeFirst()).toBeUndefined();
  });

  test("consent denied at GitHub", async () => {
    const { kernel } = booted;
    const { login } = person();
    const outcome = await signIn(login, { deny: true });
    expect(outcome.search.get("error")).toBe("access_denied");
    await expectFailure(outcome, "access_denied", [outcome.search.get("state")]);
    // The flow is closed: the same state cannot be used again.
    const flows = await githubDb(kernel.ownerDb).selectFrom("auth_github_flows").select("state_hash").where("state_hash", "=", hashFlowState(outcome.search.get("state")!)).execute();
    expect(flows).toEqual([]);
  });

  test("a tampered state", async () => {
    const { kernel } = booted;
    const { login } = person();
    const url = await beginGithubSignIn(kernel, config, {});
    const search = await gh.drive(url, { login });
    const tampered = new URLSearchParams(search);
    tampered.set("state", `${search.get("state")}x`);
    await expectFailure(await finish(tampered), "state_invalid", [search.get("code"), search.get("state")]);
  });

  test("a missing state", async () => {
    const { kernel } = booted;
    const { login } = person();
    const search = await gh.drive(await beginGithubSignIn(kernel, config, {}), { login });
    search.delete("state");
    await expectFailure(await finish(search), "state_invalid");
  });

  test("a replayed callback", async () => {
    const { kernel } = booted;
    const { login } = person();
    const search = await gh.drive(await beginGithubSignIn(kernel, config, {}), { login });
    expect((await finish(search)).result.reason).toBeNull();
    await expectFailure(await finish(search), "state_invalid", [search.get("code"), search.get("state")]);
  });

  test("an expired flow", async () => {
    const { kernel } = booted;
    const { login } = person();
    const url = await beginGithubSignIn(kernel, config, {});
    const search = await gh.drive(url, { login });
    await githubDb(kernel.ownerDb).updateTable("auth_github_flows").set({ expires_at: new Date(Date.now() - 1000) }).where("state_hash", "=", hashFlowState(search.get("state")!)).execute();
    await expectFailure(await finish(search), "state_invalid");
  });

  test("a code GitHub does not know (answered 200 with bad_verification_code)", async () => {
    const { kernel } = booted;
    const { login } = person();
    const search = await gh.drive(await beginGithubSignIn(kernel, config, {}), { login });
    search.set("code", "0123456789abcdef0000");
    await expectFailure(await finish(search), "provider_error");
  });

  test("wrong client secret", async () => {
    const { kernel } = booted;
    const { login } = person();
    const search = await gh.drive(await beginGithubSignIn(kernel, config, {}), { login });
    const outcome = await finish(search, null, { ...config, clientSecret: "not-the-secret" });
    await expectFailure(outcome, "provider_error", ["not-the-secret"]);
  });

  test("an unreachable GitHub", async () => {
    const { kernel } = booted;
    const { login } = person();
    const search = await gh.drive(await beginGithubSignIn(kernel, config, {}), { login });
    const down = githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: gh.clientId, AUTH_GITHUB_CLIENT_SECRET: gh.clientSecret, AUTH_GITHUB_URL: "http://127.0.0.1:1" })!;
    await expectFailure(await finish(search, null, down), "provider_unreachable");
  });

  test("GitHub's API failing (5xx) counts as unreachable", async () => {
    const { kernel } = booted;
    const { login } = person();
    const search = await gh.drive(await beginGithubSignIn(kernel, config, {}), { login });
    gh.apiFailure = 502;
    await expectFailure(await finish(search), "provider_unreachable");
  });

  test("a disabled account gets no session", async () => {
    const { kernel } = booted;
    const { login } = person();
    const first = await signIn(login);
    await kernel.ownerDb.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", first.result.userId!).execute();
    await expectFailure(await signIn(login), "account_disabled");
  });
});

describe("linking", () => {
  test("signed in, the GitHub account joins the current account, whatever its email", async () => {
    const { kernel } = booted;
    const me = await createUser(kernel, "Linker");
    const { login } = person({ email: `${unique("elsewhere")}@example.test` });
    const { result, cookie } = await signIn(login, { signedInUserId: me.id });
    expect(result).toMatchObject({ reason: null, userId: me.id });
    expect((await sessionOf(cookie))?.sign_in_provider).toBe("github");
    const methods = await asUser(kernel, me.id).signIn.methods.list();
    expect(methods).toEqual([expect.objectContaining({ kind: "github", provider: "github", detail: `@${login}`, removable: false })]);
  });

  test("a GitHub account already linked to someone else is refused", async () => {
    const { kernel } = booted;
    const { login } = person();
    await signIn(login);
    const other = await createUser(kernel, "Other");
    await expectFailure(await signIn(login, { signedInUserId: other.id }), "identity_in_use");
  });

  test("linking needs the same person at the callback as at the start", async () => {
    const { kernel } = booted;
    const me = await createUser(kernel, "Started");
    const { login } = person();
    const url = await beginGithubSignIn(kernel, config, { linkUserId: me.id });
    const search = await gh.drive(url, { login });
    await expectFailure(await finish(search, null), "state_invalid");
  });

  test("GitHub vouching for an account's verified email links to it", async () => {
    const { kernel } = booted;
    const existing = await createUser(kernel, "Existing");
    await kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", existing.id).execute();
    const { login } = person({ email: existing.email.toUpperCase() });
    const { result } = await signIn(login);
    expect(result).toMatchObject({ reason: null, userId: existing.id });
    const events = await kernel.ownerDb.selectFrom("audit_events").select("data").where("action", "=", "auth.github.linked").where("actor_user_id", "=", existing.id).execute();
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ how: "verified-email" })]);
  });

  test("an account whose own address was never verified is not linked by email (pre-hijacking)", async () => {
    const { kernel } = booted;
    const squatted = await createUser(kernel, "Squatter");
    const { login } = person({ email: squatted.email });
    await expectFailure(await signIn(login), "account_unverified");
    expect(await githubDb(kernel.ownerDb).selectFrom("auth_github_identities").select("id").where("login", "=", login).executeTakeFirst()).toBeUndefined();
  });

  test("unlinking through the kernel: refused for the last sign-in method, allowed once a password is set", async () => {
    const { kernel } = booted;
    const { login } = person();
    const { result } = await signIn(login);
    const caller = asUser(kernel, result.userId!);
    const [github] = await caller.signIn.methods.list();
    expect(github).toMatchObject({ kind: "github", removable: false });
    const refused = await caller.signIn.methods.unlink({ id: github!.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect(refused).toMatchObject({ code: "CONFLICT", message: expect.stringMatching(/only way to sign in/) });

    // A password counts as a way in.
    await passwordDb(kernel.ownerDb).insertInto("auth_password_credentials").values({ user_id: result.userId!, hash: await hashPassword("a long enough passphrase") }).execute();
    const methods = await caller.signIn.methods.list();
    expect(methods.map((m) => [m.kind, m.removable])).toEqual([["password", false], ["github", true]]);
    // Someone else cannot unlink it.
    const stranger = await createUser(kernel, "Stranger");
    await expect(asUser(kernel, stranger.id).signIn.methods.unlink({ id: github!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await caller.signIn.methods.unlink({ id: github!.id });
    expect((await caller.signIn.methods.list()).map((m) => m.kind)).toEqual(["password"]);
    const audit = await kernel.ownerDb.selectFrom("audit_events").select("data").where("action", "=", "auth.identity.unlinked").where("actor_user_id", "=", result.userId!).execute();
    expect(audit.map((e) => e.data)).toEqual([{ kind: "github", provider: "github" }]);
    // Signing in with GitHub again makes a new link by verified email (the account's address is verified).
    expect((await signIn(login)).result.userId).toBe(result.userId);
  });
});

describe("configuration", () => {
  test("github.com by default, with its API at api.github.com; a GitHub Enterprise Server at <url>/api/v3", () => {
    expect(githubConfigFromEnv({})).toBeNull();
    expect(githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: "c", AUTH_GITHUB_CLIENT_SECRET: "s" })).toMatchObject({
      baseUrl: "https://github.com",
      authorizeUrl: "https://github.com/login/oauth/authorize",
      tokenUrl: "https://github.com/login/oauth/access_token",
      apiUrl: "https://api.github.com",
    });
    expect(githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: "c", AUTH_GITHUB_CLIENT_SECRET: "s", AUTH_GITHUB_URL: "https://ghe.example.test/" })).toMatchObject({
      baseUrl: "https://ghe.example.test",
      authorizeUrl: "https://ghe.example.test/login/oauth/authorize",
      apiUrl: "https://ghe.example.test/api/v3",
    });
  });

  test("a wrong or missing variable is named", () => {
    expect(() => githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: "c" })).toThrow(/AUTH_GITHUB_CLIENT_SECRET/);
    expect(() => githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: "c", AUTH_GITHUB_CLIENT_SECRET: "s", AUTH_GITHUB_URL: "not a url" })).toThrow(/AUTH_GITHUB_URL/);
    // Plain http only on this machine.
    expect(() => githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: "c", AUTH_GITHUB_CLIENT_SECRET: "s", AUTH_GITHUB_URL: "http://ghe.example.test" })).toThrow(/AUTH_GITHUB_URL must be an https/);
  });

  test("`signIn.providers` offers GitHub only when configured", async () => {
    const { kernel } = booted;
    const { callerFor } = await import("../../tests/setup/fixtures");
    const saved = { ...process.env };
    try {
      delete process.env.AUTH_GITHUB_CLIENT_ID;
      delete process.env.AUTH_GITHUB_CLIENT_SECRET;
      expect((await callerFor(kernel).signIn.providers()).some((p) => p.id === "github")).toBe(false);
      process.env.AUTH_GITHUB_CLIENT_ID = gh.clientId;
      process.env.AUTH_GITHUB_CLIENT_SECRET = gh.clientSecret;
      process.env.AUTH_GITHUB_URL = gh.url;
      expect(await callerFor(kernel).signIn.providers()).toContainEqual({ id: "github", name: "GitHub", kind: "github" });
    } finally {
      for (const key of ["AUTH_GITHUB_CLIENT_ID", "AUTH_GITHUB_CLIENT_SECRET", "AUTH_GITHUB_URL"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
