import { randomBytes } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import { ZodError } from "zod";
import { resolveCaller } from "~/kernel/auth/request";
import { SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { buildAppRouter } from "~/kernel/router";
import { createCallerFactory, type Actor, type RequestContext } from "~/kernel/trpc";
import { FieldErrors, fieldErrorsOf } from "~/kernel/errors";
import { useTestKernel } from "../../tests/setup/kernel";
import { testPlugins } from "../../tests/setup/plugins";
import { INCORRECT_CREDENTIALS } from "./router";
import { hashLinkToken, passwordDb } from "./service";

const router = buildAppRouter(testPlugins);
const createCaller = createCallerFactory(router);

const booted = useTestKernel();

const PASSWORD = "correct horse battery staple";

/** A fresh client address per test keeps the per-IP limits out of the way. */
function freshIp(): string {
  const b = randomBytes(3);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

function freshEmail(prefix = "person"): string {
  return `${prefix}-${randomBytes(4).toString("hex")}@example.test`;
}

/** A caller as a browser would be: an actor, an address, response headers to read. */
function client(actor: Actor = { kind: "anonymous" }, ip = freshIp()) {
  const { kernel } = booted;
  const ctx: RequestContext = {
    kernel,
    actor,
    db: kernel.db,
    requestId: `req-${randomBytes(4).toString("hex")}`,
    ip,
    userAgent: "vitest",
    resHeaders: new Headers(),
  };
  return { ctx, call: createCaller(ctx) };
}

/** The session token in a response's Set-Cookie, if one was set. */
function sessionTokenFrom(headers: Headers | null): string | null {
  const cookies = headers?.getSetCookie() ?? [];
  const ours = cookies.filter((c) => c.startsWith(`${SESSION_COOKIE}=`));
  const last = ours.at(-1);
  const value = last ? /^atrium_session=([^;]*)/.exec(last)![1]! : null;
  return value || null;
}

/** A caller carrying a session cookie, resolved exactly as an HTTP request is. */
async function withCookie(token: string, ip = freshIp()) {
  const { kernel } = booted;
  const { actor } = await resolveCaller(kernel, new Headers({ cookie: `${SESSION_COOKIE}=${token}` }));
  return { actor, ...client(actor, ip) };
}

async function cookieWorks(token: string): Promise<boolean> {
  const { kernel } = booted;
  return (await resolveCaller(kernel, new Headers({ cookie: `${SESSION_COOKIE}=${token}` }))).actor.kind === "user";
}

/** What the client would see of a failed call: code, message and field errors. */
async function failure(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const cause = err.cause;
    const fields = cause instanceof FieldErrors ? cause.fields : cause instanceof ZodError ? fieldErrorsOf(cause) : null;
    return { code: err.code, message: err.message, fields };
  }
  throw new Error("expected the call to fail");
}

async function mailsTo(email: string) {
  const { kernel } = booted;
  return kernel.ownerDb.selectFrom("mail_outbox").selectAll().where("to_address", "=", email).orderBy("created_at", "asc").execute();
}

async function linkTokenIn(email: string, path: "/verify-email" | "/reset-password"): Promise<string> {
  const { kernel } = booted;
  const mails = await mailsTo(email);
  const re = new RegExp(`${kernel.config.publicUrl.replace(/[.]/g, "\\.")}${path}\\?token=([a-z2-7]{32})`);
  const tokens = mails.map((m) => re.exec(m.text_body)?.[1]).filter((t): t is string => !!t);
  if (!tokens.length) throw new Error(`no ${path} mail to ${email}`);
  return tokens.at(-1)!;
}

async function userIdOf(email: string): Promise<string> {
  const { kernel } = booted;
  return (await kernel.ownerDb.selectFrom("users").select("id").where("email", "=", email.toLowerCase()).executeTakeFirstOrThrow()).id;
}

async function signUp(email = freshEmail(), password = PASSWORD) {
  const c = client();
  await c.call.authPassword.signUp({ email, password, name: "Ada Lovelace" });
  return { userId: await userIdOf(email), email, password, token: sessionTokenFrom(c.ctx.resHeaders)! };
}

async function signIn(email: string, password: string, ip = freshIp()) {
  const c = client({ kind: "anonymous" }, ip);
  const result = await c.call.authPassword.signIn({ email, password });
  return { ...result, token: sessionTokenFrom(c.ctx.resHeaders)!, headers: c.ctx.resHeaders! };
}

async function sessionCount(userId: string): Promise<number> {
  const { kernel } = booted;
  const rows = await kernel.ownerDb.selectFrom("sessions").select("id").where("user_id", "=", userId).execute();
  return rows.length;
}

describe("signUp", () => {
  test("creates the person with an argon2id hash, mails a verification link, and signs them in", async () => {
    const { kernel } = booted;
    const c = client();
    expect(await c.call.authPassword.signUp({ email: "  Grace.Hopper@Example.TEST ", password: PASSWORD, name: " Grace " })).toEqual({ checkEmail: true });
    const userId = await userIdOf("grace.hopper@example.test");

    const cookie = c.ctx.resHeaders!.getSetCookie().find((h) => h.startsWith(`${SESSION_COOKIE}=`))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Lax/);
    expect(cookie).toMatch(/; Path=\//);
    const token = sessionTokenFrom(c.ctx.resHeaders)!;
    const session = await kernel.ownerDb.selectFrom("sessions").selectAll().where("id", "=", sessionIdOf(token)).executeTakeFirst();
    expect(session?.user_id).toBe(userId);
    expect(await cookieWorks(token)).toBe(true);

    const user = await kernel.ownerDb.selectFrom("users").selectAll().where("id", "=", userId).executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: "grace.hopper@example.test", name: "Grace", email_verified_at: null, disabled_at: null });
    const credential = await passwordDb(kernel.ownerDb).selectFrom("auth_password_credentials").selectAll().where("user_id", "=", userId).executeTakeFirstOrThrow();
    expect(credential.hash).toMatch(/^\$argon2id\$/);

    const mails = await mailsTo("grace.hopper@example.test");
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/confirm your email/i);
    const link = await linkTokenIn("grace.hopper@example.test", "/verify-email");
    const stored = await passwordDb(kernel.ownerDb).selectFrom("auth_password_tokens").selectAll().where("user_id", "=", userId).execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: "verify", token_hash: hashLinkToken(link), used_at: null });
    const hours = (stored[0]!.expires_at.getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  test("a taken email (in any case) answers like a new sign-up, changes nothing, and mails the account's owner instead", async () => {
    const { kernel } = booted;
    const { email, userId } = await signUp();
    const sessionsBefore = await sessionCount(userId);
    const c = client();
    // Once it said 409 "already exists": anyone could learn who has an account.
    expect(await c.call.authPassword.signUp({ email: email.toUpperCase(), password: "another private phrase", name: "Again" })).toEqual({ checkEmail: true });
    expect(sessionTokenFrom(c.ctx.resHeaders)).toBeNull();
    expect(await sessionCount(userId)).toBe(sessionsBefore);
    const users = await kernel.ownerDb.selectFrom("users").select(["id", "name"]).where("email", "=", email).execute();
    expect(users).toEqual([{ id: userId, name: "Ada Lovelace" }]);
    // The original password still works; the attempted one does not.
    await expect(signIn(email, PASSWORD)).resolves.toBeDefined();
    await expect(failure(signIn(email, "another private phrase"))).resolves.toMatchObject({ code: "UNAUTHORIZED" });
    const mails = await mailsTo(email);
    expect(mails.map((m) => m.subject)).toEqual([expect.stringMatching(/confirm your email/i), "Someone tried to create an Atrium account with your email address"]);
    expect(mails[1]!.text_body).toContain(`${kernel.config.publicUrl}/forgot-password`);
    expect(mails[1]!.text_body).not.toContain("another private phrase");
    const audit = await kernel.ownerDb.selectFrom("audit_events").select(["action", "target_id"]).where("action", "=", "auth.sign_up_existing").where("target_id", "=", userId).execute();
    expect(audit).toHaveLength(1);
  });

  test("weak passwords are 422 with a field error on password, and nothing is created", async () => {
    const { kernel } = booted;
    const email = freshEmail();
    const weak = ["short", "x".repeat(201), "aaaaaaaaaaaa", email, email.toUpperCase(), "password1234", "QwertyUiop"];
    for (const password of weak) {
      const f = await failure(client().call.authPassword.signUp({ email, password, name: "Weak" }));
      expect(f.code, password).toBe("UNPROCESSABLE_CONTENT");
      expect(f.fields?.password, password).toHaveLength(1);
    }
    expect(await kernel.ownerDb.selectFrom("users").select("id").where("email", "=", email).executeTakeFirst()).toBeUndefined();
    expect(await mailsTo(email)).toHaveLength(0);
  });

  test("a malformed email or a missing name is 422 on that field", async () => {
    const bad = await failure(client().call.authPassword.signUp({ email: "not-an-email", password: PASSWORD, name: "X" }));
    expect(bad.code).toBe("UNPROCESSABLE_CONTENT");
    expect(bad.fields?.email).toBeDefined();
    const noName = await failure(client().call.authPassword.signUp({ email: freshEmail(), password: PASSWORD, name: "   " }));
    expect(noName.fields?.name).toBeDefined();
  });
});

describe("signIn", () => {
  test("issues a new session token every time", async () => {
    const { email, userId, token: fromSignUp } = await signUp();
    const first = await signIn(email, PASSWORD);
    const second = await signIn(` ${email.toUpperCase()} `, PASSWORD);
    expect(first.userId).toBe(userId);
    expect(second.userId).toBe(userId);
    expect(new Set([fromSignUp, first.token, second.token]).size).toBe(3);
    expect(await cookieWorks(first.token)).toBe(true);
    expect(await cookieWorks(second.token)).toBe(true);
    expect(await sessionCount(userId)).toBe(3);
  });

  test("a wrong password and an unknown email give the identical error, audited with the domain only", async () => {
    const { kernel } = booted;
    const { email, userId } = await signUp();
    const wrongPassword = await failure(client().call.authPassword.signIn({ email, password: "not the password at all" }));
    const unknownEmail = await failure(client().call.authPassword.signIn({ email: freshEmail("nobody"), password: "not the password at all" }));
    expect(wrongPassword).toEqual({ code: "UNAUTHORIZED", message: INCORRECT_CREDENTIALS, fields: null });
    expect(unknownEmail).toEqual(wrongPassword);

    const events = await kernel.ownerDb
      .selectFrom("audit_events")
      .selectAll()
      .where("action", "=", "auth.sign_in_failed")
      .orderBy("id", "asc")
      .execute();
    const mine = events.filter((e) => e.target_id === userId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actor_kind: "anonymous", actor_user_id: null });
    expect(mine[0]!.data).toEqual({ method: "password", emailDomain: "example.test", reason: "bad_credentials" });
    const text = JSON.stringify(events);
    expect(text).not.toContain("not the password at all");
    expect(text).not.toContain(email);
    expect(text).not.toMatch(/nobody-/);
  });

  test("the 11th attempt on one account is 429 with Retry-After, even with the right password", async () => {
    const { email } = await signUp();
    for (let i = 0; i < 10; i++) {
      const f = await failure(client().call.authPassword.signIn({ email, password: `wrong password ${i}` }));
      expect(f.code).toBe("UNAUTHORIZED");
    }
    const c = client();
    const f = await failure(c.call.authPassword.signIn({ email, password: PASSWORD }));
    expect(f.code).toBe("TOO_MANY_REQUESTS");
    expect(f.message).toMatch(/Too many sign-in attempts\. Try again in 15 minutes\./);
    const retryAfter = Number(c.ctx.resHeaders!.get("retry-after"));
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(sessionTokenFrom(c.ctx.resHeaders)).toBeNull();
  });

  test("a successful sign-in resets the per-account counter", async () => {
    const { email } = await signUp();
    for (let i = 0; i < 9; i++) await failure(client().call.authPassword.signIn({ email, password: `wrong password ${i}` }));
    await signIn(email, PASSWORD);
    for (let i = 0; i < 10; i++) {
      expect((await failure(client().call.authPassword.signIn({ email, password: `wrong again ${i}` }))).code).toBe("UNAUTHORIZED");
    }
  });

  test("more than 50 attempts from one address are 429, whatever the account", async () => {
    const ip = freshIp();
    for (let i = 0; i < 50; i++) {
      const f = await failure(client({ kind: "anonymous" }, ip).call.authPassword.signIn({ email: freshEmail("spray"), password: "guess guess guess" }));
      expect(f.code).toBe("UNAUTHORIZED");
    }
    const c = client({ kind: "anonymous" }, ip);
    expect((await failure(c.call.authPassword.signIn({ email: freshEmail("spray"), password: "guess guess guess" }))).code).toBe("TOO_MANY_REQUESTS");
    expect(c.ctx.resHeaders!.get("retry-after")).toMatch(/^\d+$/);
    // Another address is not affected.
    expect((await failure(client().call.authPassword.signIn({ email: freshEmail("spray"), password: "guess guess guess" }))).code).toBe("UNAUTHORIZED");
  });

  test("over HTTP: 429 status with Retry-After, and the session cookie on success", async () => {
    const { kernel } = booted;
    const { email } = await signUp();
    const ip = freshIp();
    const post = (input: unknown) => {
      const req = new Request("http://localhost/api/trpc/authPassword.signIn", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input),
      });
      return fetchRequestHandler({
        endpoint: "/api/trpc",
        req,
        router,
        createContext: ({ resHeaders }) => ({ kernel, actor: { kind: "anonymous" }, db: kernel.db, requestId: "http", ip, resHeaders }),
      });
    };
    const ok = await post({ email, password: PASSWORD });
    expect(ok.status).toBe(200);
    expect(ok.headers.getSetCookie().some((c) => /^atrium_session=[a-z2-7]{32}; Path=\/; HttpOnly; SameSite=Lax/.test(c))).toBe(true);
    for (let i = 0; i < 10; i++) expect((await post({ email, password: "wrong wrong wrong" })).status).toBe(401);
    const limited = await post({ email, password: PASSWORD });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { message: string } }).error.message).toMatch(/Try again in/);
  });
});

describe("verifyEmail", () => {
  test("the link works once, then says it was used", async () => {
    const { kernel } = booted;
    const { email, userId } = await signUp();
    const token = await linkTokenIn(email, "/verify-email");
    expect(await client().call.authPassword.verifyEmail({ token })).toEqual({ ok: true });
    const user = await kernel.ownerDb.selectFrom("users").select("email_verified_at").where("id", "=", userId).executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeInstanceOf(Date);

    const again = await failure(client().call.authPassword.verifyEmail({ token }));
    expect(again.code).toBe("UNPROCESSABLE_CONTENT");
    expect(again.fields?.token?.[0]).toMatch(/already been used/);
  });

  test("an expired link and a made-up one fail with a field error on token", async () => {
    const { kernel } = booted;
    const { email, userId } = await signUp();
    const token = await linkTokenIn(email, "/verify-email");
    await passwordDb(kernel.ownerDb).updateTable("auth_password_tokens").set({ expires_at: new Date(Date.now() - 1000) }).where("user_id", "=", userId).execute();
    const expired = await failure(client().call.authPassword.verifyEmail({ token }));
    expect(expired.code).toBe("UNPROCESSABLE_CONTENT");
    expect(expired.fields?.token?.[0]).toMatch(/expired/);
    const user = await kernel.ownerDb.selectFrom("users").select("email_verified_at").where("id", "=", userId).executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeNull();

    for (const bad of ["", "nonsense", "a".repeat(32)]) {
      const f = await failure(client().call.authPassword.verifyEmail({ token: bad }));
      expect(f.code).toBe("UNPROCESSABLE_CONTENT");
      expect(f.fields?.token?.[0]).toMatch(/not valid/);
    }
  });

  test("resendVerification mails a fresh link to the signed-in person, is rate limited, and stops once verified", async () => {
    const { email, token: session } = await signUp();
    const me = await withCookie(session);
    expect(await me.call.authPassword.resendVerification()).toEqual({ sent: true, alreadyVerified: false });
    expect(await mailsTo(email)).toHaveLength(2);
    const fresh = await linkTokenIn(email, "/verify-email");

    for (let i = 0; i < 4; i++) await (await withCookie(session)).call.authPassword.resendVerification();
    const limited = await withCookie(session);
    expect((await failure(limited.call.authPassword.resendVerification())).code).toBe("TOO_MANY_REQUESTS");
    expect(limited.ctx.resHeaders!.get("retry-after")).toMatch(/^\d+$/);

    await client().call.authPassword.verifyEmail({ token: fresh });
    expect(await (await withCookie(session)).call.authPassword.resendVerification()).toEqual({ sent: false, alreadyVerified: true });

    expect((await failure(client().call.authPassword.resendVerification())).code).toBe("UNAUTHORIZED");
  });
});

describe("password reset", () => {
  test("a request for an unknown email still answers ok and sends nothing", async () => {
    const email = freshEmail("ghost");
    expect(await client().call.authPassword.requestPasswordReset({ email })).toEqual({ ok: true });
    expect(await mailsTo(email)).toHaveLength(0);
  });

  test("requests are rate limited per email", async () => {
    const email = freshEmail("ghost");
    for (let i = 0; i < 5; i++) await client().call.authPassword.requestPasswordReset({ email });
    const c = client();
    expect((await failure(c.call.authPassword.requestPasswordReset({ email }))).code).toBe("TOO_MANY_REQUESTS");
    expect(c.ctx.resHeaders!.get("retry-after")).toMatch(/^\d+$/);
  });

  test("the link works once: new password, every old session ended, signed in afresh, email verified", async () => {
    const { kernel } = booted;
    const { email, userId, token: signUpSession } = await signUp();
    const other = await signIn(email, PASSWORD);
    expect(await sessionCount(userId)).toBe(2);

    await client().call.authPassword.requestPasswordReset({ email: email.toUpperCase() });
    const mails = await mailsTo(email);
    expect(mails.at(-1)!.subject).toMatch(/reset your atrium password/i);
    const token = await linkTokenIn(email, "/reset-password");
    const stored = await passwordDb(kernel.ownerDb).selectFrom("auth_password_tokens").selectAll().where("token_hash", "=", hashLinkToken(token)).executeTakeFirstOrThrow();
    const minutes = (stored.expires_at.getTime() - Date.now()) / 60_000;
    expect(minutes).toBeGreaterThan(59);
    expect(minutes).toBeLessThanOrEqual(60);

    // A password that breaks a rule: 422 on password, and the link stays usable.
    const weak = await failure(client().call.authPassword.resetPassword({ token, password: email }));
    expect(weak.code).toBe("UNPROCESSABLE_CONTENT");
    expect(weak.fields?.password).toHaveLength(1);

    const c = client();
    const NEW = "a brand new passphrase";
    expect(await c.call.authPassword.resetPassword({ token, password: NEW })).toEqual({ userId });
    const fresh = sessionTokenFrom(c.ctx.resHeaders)!;
    expect(await cookieWorks(fresh)).toBe(true);
    expect(await cookieWorks(signUpSession)).toBe(false);
    expect(await cookieWorks(other.token)).toBe(false);
    expect(await sessionCount(userId)).toBe(1);

    const user = await kernel.ownerDb.selectFrom("users").select("email_verified_at").where("id", "=", userId).executeTakeFirstOrThrow();
    expect(user.email_verified_at).toBeInstanceOf(Date);
    expect((await failure(client().call.authPassword.signIn({ email, password: PASSWORD }))).code).toBe("UNAUTHORIZED");
    expect((await signIn(email, NEW)).userId).toBe(userId);

    const reused = await failure(client().call.authPassword.resetPassword({ token, password: "yet another passphrase" }));
    expect(reused.code).toBe("UNPROCESSABLE_CONTENT");
    expect(reused.fields?.token?.[0]).toMatch(/already been used/);
  });

  test("an older reset link dies with a reset; an expired link fails", async () => {
    const { kernel } = booted;
    const { email, userId } = await signUp();
    await client().call.authPassword.requestPasswordReset({ email });
    const older = await linkTokenIn(email, "/reset-password");
    await client().call.authPassword.requestPasswordReset({ email });
    const newer = await linkTokenIn(email, "/reset-password");
    expect(newer).not.toBe(older);
    await client().call.authPassword.resetPassword({ token: newer, password: "first new passphrase" });
    expect((await failure(client().call.authPassword.resetPassword({ token: older, password: "second new passphrase" }))).fields?.token?.[0]).toMatch(
      /already been used/,
    );

    await client().call.authPassword.requestPasswordReset({ email });
    const late = await linkTokenIn(email, "/reset-password");
    await passwordDb(kernel.ownerDb)
      .updateTable("auth_password_tokens")
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where("user_id", "=", userId)
      .where("token_hash", "=", hashLinkToken(late))
      .execute();
    const expired = await failure(client().call.authPassword.resetPassword({ token: late, password: "third new passphrase" }));
    expect(expired.code).toBe("UNPROCESSABLE_CONTENT");
    expect(expired.fields?.token?.[0]).toMatch(/expired/);
    // A verify link is not a reset link.
    const verify = await linkTokenIn(email, "/verify-email");
    expect((await failure(client().call.authPassword.resetPassword({ token: verify, password: "fourth new passphrase" }))).fields?.token?.[0]).toMatch(
      /not valid/,
    );
  });
});

describe("changePassword", () => {
  test("checks the current password, ends every other session and rotates this one", async () => {
    const { kernel } = booted;
    const { email, userId, token: current } = await signUp();
    const laptop = await signIn(email, PASSWORD);
    const phone = await signIn(email, PASSWORD);
    expect(await sessionCount(userId)).toBe(3);

    const wrong = await failure((await withCookie(current)).call.authPassword.changePassword({ currentPassword: "not my password", newPassword: "a brand new passphrase" }));
    expect(wrong.code).toBe("UNPROCESSABLE_CONTENT");
    expect(wrong.fields?.currentPassword?.[0]).toMatch(/incorrect/);

    const weak = await failure((await withCookie(current)).call.authPassword.changePassword({ currentPassword: PASSWORD, newPassword: "password123" }));
    expect(weak.code).toBe("UNPROCESSABLE_CONTENT");
    expect(weak.fields?.newPassword).toHaveLength(1);
    expect(await sessionCount(userId)).toBe(3);

    const me = await withCookie(current);
    expect(me.actor).toMatchObject({ kind: "user", userId, sessionId: sessionIdOf(current) });
    const NEW = "a brand new passphrase";
    expect(await me.call.authPassword.changePassword({ currentPassword: PASSWORD, newPassword: NEW })).toEqual({ ok: true });
    const rotated = sessionTokenFrom(me.ctx.resHeaders)!;
    expect(rotated).toBeTruthy();
    expect(rotated).not.toBe(current);
    expect(await cookieWorks(rotated)).toBe(true);
    for (const old of [current, laptop.token, phone.token]) expect(await cookieWorks(old)).toBe(false);
    expect(await sessionCount(userId)).toBe(1);

    expect((await failure(client().call.authPassword.signIn({ email, password: PASSWORD }))).code).toBe("UNAUTHORIZED");
    expect((await signIn(email, NEW)).userId).toBe(userId);

    const audit = await kernel.ownerDb.selectFrom("audit_events").selectAll().where("action", "=", "auth.password_changed").where("actor_user_id", "=", userId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]!.data).toEqual({ sessionsEnded: 3 });
  });

  test("needs a browser session: anonymous 401, a personal access token 403", async () => {
    const input = { currentPassword: PASSWORD, newPassword: "a brand new passphrase" };
    expect((await failure(client().call.authPassword.changePassword(input))).code).toBe("UNAUTHORIZED");
    const { userId } = await signUp();
    const token: Actor = { kind: "token", userId, tokenId: "00000000-0000-0000-0000-000000000000", orgId: "00000000-0000-0000-0000-000000000000", scopes: ["read", "write"] };
    expect((await failure(client(token).call.authPassword.changePassword(input))).code).toBe("FORBIDDEN");
  });
});

describe("disabled accounts", () => {
  test("cannot sign in; a wrong password still looks like any wrong password", async () => {
    const { kernel } = booted;
    const { email, userId } = await signUp();
    await kernel.ownerDb.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", userId).execute();
    const right = await failure(client().call.authPassword.signIn({ email, password: PASSWORD }));
    expect(right.code).toBe("FORBIDDEN");
    expect(right.message).toMatch(/disabled/);
    const wrong = await failure(client().call.authPassword.signIn({ email, password: "not the password" }));
    expect(wrong).toEqual({ code: "UNAUTHORIZED", message: INCORRECT_CREDENTIALS, fields: null });

    // No reset mail for a disabled account (and the answer is still ok).
    const before = (await mailsTo(email)).length;
    expect(await client().call.authPassword.requestPasswordReset({ email })).toEqual({ ok: true });
    expect(await mailsTo(email)).toHaveLength(before);
  });
});

describe("audit", () => {
  test("every mutation records an event, none holding a password or a token", async () => {
    const { kernel } = booted;
    const { email, userId, token: session } = await signUp();
    await signIn(email, PASSWORD);
    await failure(client().call.authPassword.signIn({ email, password: "a wrong guess here" }));
    const verify = await linkTokenIn(email, "/verify-email");
    await client().call.authPassword.verifyEmail({ token: verify });
    await client().call.authPassword.requestPasswordReset({ email });
    const reset = await linkTokenIn(email, "/reset-password");
    const c = client();
    await c.call.authPassword.resetPassword({ token: reset, password: "reset passphrase one" });
    const after = sessionTokenFrom(c.ctx.resHeaders)!;
    await (await withCookie(after)).call.authPassword.changePassword({ currentPassword: "reset passphrase one", newPassword: "changed passphrase two" });

    const events = await kernel.ownerDb
      .selectFrom("audit_events")
      .selectAll()
      .where((eb) => eb.or([eb("actor_user_id", "=", userId), eb("target_id", "=", userId)]))
      .orderBy("id", "asc")
      .execute();
    expect(events.map((e) => e.action)).toEqual([
      "auth.sign_up",
      "auth.sign_in",
      "auth.sign_in",
      "auth.sign_in_failed",
      "auth.email_verified",
      "auth.password_reset_requested",
      "auth.password_reset",
      "auth.sign_in",
      "auth.password_changed",
      "auth.sign_in",
    ]);
    const text = JSON.stringify(events);
    for (const secret of [PASSWORD, "a wrong guess here", "reset passphrase one", "changed passphrase two", verify, reset, session, after, hashLinkToken(reset)]) {
      expect(text).not.toContain(secret);
    }
  });
});
