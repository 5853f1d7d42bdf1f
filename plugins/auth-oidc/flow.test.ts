/**
 * The OIDC sign-in flow against a real OpenID Provider (`oidc-provider` on loopback): the code
 * flow end to end, and each way it must fail (no session, an audit event, no secret logged).
 */
import { TRPCError } from "@trpc/server";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { resolveCaller } from "~/kernel/auth/request";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { useTestKernel } from "../../tests/setup/kernel";
import { asUser, callerFor, createUser, unique } from "../../tests/setup/fixtures";
import { oidcProvidersFromEnv, type OidcProviderConfig } from "./config";
import { oidcErrorMessage } from "./errors";
import { beginSignIn, callbackUrl, clearDiscoveryCache, completeSignIn, FLOW_TTL_MS, hashState, oidcDb, safeNextPath, type CallbackResult } from "./service";
import { startTestProvider, type TestProvider } from "./test-provider";

let op: TestProvider;
let okta: OidcProviderConfig;

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  op = await startTestProvider({ redirectUris: [callbackUrl(kernel.config.publicUrl, "okta")] });
  okta = { id: "okta", name: "Okta", issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret };
});
afterAll(async () => {
  await op?.close();
  clearDiscoveryCache();
});
beforeEach(() => {
  op.tamperIdToken = null;
});

function person(overrides: { email_verified?: boolean; email?: string } = {}) {
  const sub = unique("sub");
  const email = overrides.email ?? `${unique("oidc")}@example.test`;
  op.accounts.set(sub, { email, email_verified: overrides.email_verified ?? true, name: "Olivia Okta" });
  return { sub, email };
}

/** The whole flow: start, the provider's pages, the callback. */
async function signIn(login: string, opts: { next?: string; signedInUserId?: string | null; deny?: boolean; providers?: OidcProviderConfig[] } = {}) {
  const { kernel } = booted;
  const url = await beginSignIn(kernel, okta, { next: opts.next, linkUserId: opts.signedInUserId ?? null });
  const search = await op.drive(url, { login, deny: opts.deny });
  return { ...(await finish(search, opts.signedInUserId ?? null, opts.providers)), search };
}

async function finish(search: URLSearchParams, signedInUserId: string | null = null, providers = [okta]) {
  const { kernel } = booted;
  const resHeaders = new Headers();
  const requestId = unique("req");
  const result: CallbackResult = await completeSignIn(kernel, providers, "okta", search, { resHeaders, ip: "127.0.0.1", userAgent: "vitest", requestId, signedInUserId });
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`)) ?? null;
  return { result, cookie, requestId, signedIn: signedInUserId !== null };
}

async function sessionUser(cookie: string | null) {
  const { kernel } = booted;
  if (!cookie) return null;
  const { actor } = await resolveCaller(kernel, new Headers({ cookie: cookie.split(";")[0]! }));
  return actor.kind === "user" ? actor.userId : null;
}

async function auditFor(requestId: string) {
  const { kernel } = booted;
  return kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("request_id", "=", requestId).execute();
}

async function expectFailure(outcome: { result: CallbackResult; cookie: string | null; requestId: string; signedIn: boolean }, reason: string, search?: URLSearchParams) {
  expect(outcome.result).toMatchObject({ userId: null, reason, location: outcome.signedIn ? `/account?error=${reason}#sign-in-methods` : `/sign-in?error=${reason}` });
  expect(outcome.cookie).toBeNull();
  expect(oidcErrorMessage(reason)).toBeTruthy();
  const events = await auditFor(outcome.requestId);
  expect(events.map((e) => e.action)).toEqual(["auth.oidc.failed"]);
  expect(events[0]!.data).toMatchObject({ provider: "okta", reason });
  const stored = JSON.stringify(events[0]!.data);
  for (const secret of [search?.get("code"), search?.get("state")].filter(Boolean)) expect(stored).not.toContain(secret);
}

describe("the code flow", () => {
  test("a new person lands signed in, with a verified account for the provider's email, at `next`", async () => {
    const { kernel } = booted;
    const { sub, email } = person();
    const { result, cookie } = await signIn(sub, { next: "/o/acme?tab=1" });
    expect(result).toMatchObject({ location: "/o/acme?tab=1", reason: null });
    const userId = await sessionUser(cookie);
    expect(userId).toBe(result.userId);
    const user = await kernel.ownerDb.selectFrom("users").selectAll().where("id", "=", userId!).executeTakeFirstOrThrow();
    expect(user.email).toBe(email);
    expect(user.email_verified_at).not.toBeNull();
    const identity = await oidcDb(kernel.ownerDb).selectFrom("auth_oidc_identities").selectAll().where("subject", "=", sub).executeTakeFirstOrThrow();
    expect(identity).toMatchObject({ provider: "okta", user_id: userId });

    // The second time, the same identity finds the same account.
    const again = await signIn(sub);
    expect(again.result).toMatchObject({ location: "/", userId });
  });

  test("`next` must be a same-origin path", () => {
    for (const bad of ["https://evil.test/", "//evil.test", "/\\evil.test", "javascript:alert(1)", "/sign-in", "/auth/okta/start"]) expect(safeNextPath(bad)).toBe("/");
    expect(safeNextPath("/o/acme")).toBe("/o/acme");
  });

  test("the stored flow keeps only a hash of the state, and expires in ten minutes", async () => {
    const { kernel } = booted;
    const url = await beginSignIn(kernel, okta, {});
    const state = url.searchParams.get("state")!;
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("nonce")).toBeTruthy();
    const flow = await oidcDb(kernel.ownerDb).selectFrom("auth_oidc_flows").selectAll().where("state_hash", "=", hashState(state)).executeTakeFirstOrThrow();
    expect(JSON.stringify(flow)).not.toContain(state);
    expect(flow.expires_at.getTime() - Date.now()).toBeGreaterThan(FLOW_TTL_MS - 60_000);
    expect(flow.expires_at.getTime() - Date.now()).toBeLessThanOrEqual(FLOW_TTL_MS);
  });
});

describe("failures: no session, an audit event, a message", () => {
  test("consent denied at the provider", async () => {
    const { sub } = person();
    const outcome = await signIn(sub, { deny: true });
    expect(outcome.search.get("error")).toBe("access_denied");
    await expectFailure(outcome, "access_denied", outcome.search);
  });

  test("a tampered state", async () => {
    const { kernel } = booted;
    const { sub } = person();
    const url = await beginSignIn(kernel, okta, {});
    const search = await op.drive(url, { login: sub });
    const tampered = new URLSearchParams(search);
    tampered.set("state", `${search.get("state")}x`);
    await expectFailure(await finish(tampered), "state_invalid", search);
  });

  test("a replayed callback", async () => {
    const { kernel } = booted;
    const { sub } = person();
    const url = await beginSignIn(kernel, okta, {});
    const search = await op.drive(url, { login: sub });
    expect((await finish(search)).result.reason).toBeNull();
    await expectFailure(await finish(search), "state_invalid", search);
  });

  test("an expired flow", async () => {
    const { kernel } = booted;
    const { sub } = person();
    const url = await beginSignIn(kernel, okta, {});
    const search = await op.drive(url, { login: sub });
    await oidcDb(kernel.ownerDb).updateTable("auth_oidc_flows").set({ expires_at: new Date(Date.now() - 1000) }).where("state_hash", "=", hashState(search.get("state")!)).execute();
    await expectFailure(await finish(search), "state_invalid", search);
  });

  test("(control) a token re-signed by the test provider with its claims unchanged is accepted", async () => {
    const { sub } = person();
    op.tamperIdToken = (claims) => claims;
    const { result, cookie } = await signIn(sub);
    expect(result.reason).toBeNull();
    expect(await sessionUser(cookie)).toBe(result.userId);
  });

  test("an ID token for another audience (client id mismatch)", async () => {
    const { sub } = person();
    op.tamperIdToken = (claims) => ({ ...claims, aud: "some-other-client" });
    const outcome = await signIn(sub);
    await expectFailure(outcome, "token_invalid", outcome.search);
  });

  test("an expired ID token", async () => {
    const { sub } = person();
    const past = Math.floor(Date.now() / 1000) - 3600;
    op.tamperIdToken = (claims) => ({ ...claims, iat: past - 60, exp: past });
    const outcome = await signIn(sub);
    await expectFailure(outcome, "token_invalid", outcome.search);
  });

  test("an ID token with another nonce", async () => {
    const { sub } = person();
    op.tamperIdToken = (claims) => ({ ...claims, nonce: "not-the-one" });
    const outcome = await signIn(sub);
    await expectFailure(outcome, "token_invalid", outcome.search);
  });

  test("an unverified email", async () => {
    const { kernel } = booted;
    const { sub, email } = person({ email_verified: false });
    const outcome = await signIn(sub);
    await expectFailure(outcome, "email_unverified", outcome.search);
    expect(await kernel.ownerDb.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
  });

  test("an unreachable provider", async () => {
    const { kernel } = booted;
    const gone = await startTestProvider({ redirectUris: [callbackUrl(kernel.config.publicUrl, "okta")] });
    await gone.close();
    const down: OidcProviderConfig = { ...okta, issuer: gone.issuer };
    await expect(beginSignIn(kernel, down, {})).rejects.toMatchObject({ reason: "provider_unreachable" });
  });

  test("an unknown provider", async () => {
    const outcome = await finish(new URLSearchParams({ code: "x", state: "y" }), null, []);
    expect(outcome.result.reason).toBe("unknown_provider");
    expect(outcome.cookie).toBeNull();
  });
});

describe("linking", () => {
  test("signed in, the identity joins the current account, whatever its email", async () => {
    const { kernel } = booted;
    const me = await createUser(kernel, "Linker");
    const { sub } = person({ email: `${unique("elsewhere")}@example.test` });
    const { result } = await signIn(sub, { signedInUserId: me.id });
    expect(result).toMatchObject({ reason: null, userId: me.id });
    const list = await asUser(kernel, me.id).authOidc.identities.list();
    expect(list).toEqual([expect.objectContaining({ provider: "okta" })]);
  });

  test("an identity already linked to someone else is refused", async () => {
    const { kernel } = booted;
    const { sub } = person();
    await signIn(sub);
    const other = await createUser(kernel, "Other");
    const outcome = await signIn(sub, { signedInUserId: other.id });
    await expectFailure(outcome, "identity_in_use", outcome.search);
  });

  test("the provider vouching for an account's verified email links to it", async () => {
    const { kernel } = booted;
    const existing = await createUser(kernel, "Existing");
    await kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", existing.id).execute();
    const { sub } = person({ email: existing.email });
    const { result } = await signIn(sub);
    expect(result).toMatchObject({ reason: null, userId: existing.id });
    const events = await kernel.ownerDb.selectFrom("audit_events").select("data").where("action", "=", "auth.oidc.linked").where("actor_user_id", "=", existing.id).execute();
    expect(events.map((e) => e.data)).toEqual([expect.objectContaining({ how: "verified-email" })]);
  });

  test("an account whose own address was never verified is not linked by email (pre-hijacking)", async () => {
    const { kernel } = booted;
    const squatted = await createUser(kernel, "Squatter");
    const { sub } = person({ email: squatted.email });
    const outcome = await signIn(sub);
    await expectFailure(outcome, "account_unverified", outcome.search);
    expect(await oidcDb(kernel.ownerDb).selectFrom("auth_oidc_identities").select("id").where("subject", "=", sub).executeTakeFirst()).toBeUndefined();
  });

  test("unlinking: refused for the last identity, allowed with another", async () => {
    const { kernel } = booted;
    const me = await createUser(kernel, "Two links");
    const first = person({ email: `${unique("a")}@example.test` });
    const second = person({ email: `${unique("b")}@example.test` });
    await signIn(first.sub, { signedInUserId: me.id });
    await signIn(second.sub, { signedInUserId: me.id });
    const caller = asUser(kernel, me.id);
    const [a, b] = await caller.authOidc.identities.list();
    await caller.authOidc.identities.unlink({ id: a!.id });
    const refused = await caller.authOidc.identities.unlink({ id: b!.id }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TRPCError);
    expect((refused as TRPCError).code).toBe("CONFLICT");
    expect(await caller.authOidc.identities.list()).toHaveLength(1);
    // Someone else's identity is not found.
    const stranger = await createUser(kernel, "Stranger");
    await expect(asUser(kernel, stranger.id).authOidc.identities.unlink({ id: b!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("configuration", () => {
  test("one provider, several, and the Google preset", () => {
    expect(oidcProvidersFromEnv({})).toEqual([]);
    expect(oidcProvidersFromEnv({ AUTH_OIDC_ISSUER: "https://id.example.test", AUTH_OIDC_CLIENT_ID: "c", AUTH_OIDC_CLIENT_SECRET: "s", AUTH_OIDC_NAME: "Okta" })).toEqual([
      { id: "oidc", name: "Okta", issuer: "https://id.example.test", clientId: "c", clientSecret: "s" },
    ]);
    const many = oidcProvidersFromEnv({
      AUTH_OIDC_PROVIDERS: "okta, keycloak",
      AUTH_OIDC_OKTA_ISSUER: "https://okta.example.test",
      AUTH_OIDC_OKTA_CLIENT_ID: "o",
      AUTH_OIDC_OKTA_CLIENT_SECRET: "os",
      AUTH_OIDC_OKTA_NAME: "Okta",
      AUTH_OIDC_KEYCLOAK_ISSUER: "https://kc.example.test/realms/x",
      AUTH_OIDC_KEYCLOAK_CLIENT_ID: "k",
      AUTH_OIDC_KEYCLOAK_CLIENT_SECRET: "ks",
      AUTH_GOOGLE_CLIENT_ID: "g",
      AUTH_GOOGLE_CLIENT_SECRET: "gs",
    });
    expect(many.map((p) => [p.id, p.name])).toEqual([["okta", "Okta"], ["keycloak", "keycloak"], ["google", "Google"]]);
    expect(many[2]!.issuer).toBe("https://accounts.google.com");
  });

  test("a missing variable is named", () => {
    expect(() => oidcProvidersFromEnv({ AUTH_OIDC_PROVIDERS: "okta", AUTH_OIDC_OKTA_ISSUER: "https://okta.example.test" })).toThrow(/AUTH_OIDC_OKTA_CLIENT_ID/);
    expect(() => oidcProvidersFromEnv({ AUTH_GOOGLE_CLIENT_ID: "g" })).toThrow(/AUTH_GOOGLE_CLIENT_SECRET/);
  });

  test("`authOidc.providers` lists the configured providers, ids and names only", async () => {
    const { kernel } = booted;
    const saved = { ...process.env };
    try {
      process.env.AUTH_OIDC_ISSUER = "https://id.example.test";
      process.env.AUTH_OIDC_CLIENT_ID = "c";
      process.env.AUTH_OIDC_CLIENT_SECRET = "s";
      process.env.AUTH_OIDC_NAME = "Okta";
      expect(await callerFor(kernel).authOidc.providers()).toEqual([{ id: "oidc", name: "Okta" }]);
    } finally {
      for (const key of ["AUTH_OIDC_ISSUER", "AUTH_OIDC_CLIENT_ID", "AUTH_OIDC_CLIENT_SECRET", "AUTH_OIDC_NAME"]) {
        if (saved[key] === undefined) delete process.env[key];
        else process.env[key] = saved[key];
      }
    }
  });
});
