import { TRPCError } from "@trpc/server";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { BearerRejected, originProblem, resolveCaller } from "~/kernel/auth/request";
import { createSession, generateSessionToken, SESSION_COOKIE } from "~/kernel/auth/session";
import { APP_ROLE, tablesMissingRls } from "~/kernel/db/roles";
import type { Kernel } from "~/kernel/kernel";
import { bootTestKernel } from "../setup/database";
import { asUser, callerFor, createOrg, createUser } from "../setup/fixtures";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
let kernel: Kernel;
beforeAll(async () => {
  k = await bootTestKernel();
  kernel = k.kernel;
});
afterAll(async () => k?.close());

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string[]> | null }> {
  try {
    await promise;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const cause = err.cause as { fields?: Record<string, string[]> } | undefined;
    return { code: err.code, message: err.message, fields: cause?.fields ?? null };
  }
  throw new Error("expected a failure");
}

/** A caller with a browser session (session procedures need one). */
async function signedIn(userId: string) {
  const token = generateSessionToken();
  const session = await createSession(kernel.db, token, userId);
  return { caller: callerFor(kernel, { kind: "user", userId, sessionId: session.id }), token, sessionId: session.id };
}

describe("orgs", () => {
  test("create makes the creator owner; slugs are unique, validated and not reserved", async () => {
    const user = await createUser(kernel);
    const { caller } = await signedIn(user.id);
    const org = await caller.orgs.create({ slug: `acme-${user.id.slice(0, 6)}`, name: "Acme" });
    expect((await caller.auth.me())!.orgs).toEqual([{ id: org.id, slug: org.slug, name: "Acme", role: "owner" }]);
    const taken = await failure(caller.orgs.create({ slug: org.slug, name: "Again" }));
    expect(taken).toMatchObject({ code: "CONFLICT", fields: { slug: [expect.stringContaining("taken")] } });
    expect((await failure(caller.orgs.create({ slug: "api", name: "x" }))).code).toBe("CONFLICT");
    expect((await failure(caller.orgs.create({ slug: "-bad-", name: "x" }))).code).toBe("UNPROCESSABLE_CONTENT");
    // The failed attempts left nothing behind.
    expect((await caller.orgs.list()).map((o) => o.slug)).toEqual([org.slug]);
  });

  test("an org always keeps an owner; admins cannot touch owners; ownership can be transferred", async () => {
    const owner = await createUser(kernel);
    const admin = await createUser(kernel);
    const org = await createOrg(kernel, [
      { userId: owner.id, role: "owner" },
      { userId: admin.id, role: "admin" },
    ]);
    const asOwner = asUser(kernel, owner.id);
    expect((await failure(asOwner.orgs.members.leave({ orgId: org.id }))).code).toBe("CONFLICT");
    expect((await failure(asOwner.orgs.members.updateRole({ orgId: org.id, userId: owner.id, role: "admin" }))).code).toBe("CONFLICT");
    expect((await failure(asUser(kernel, admin.id).orgs.members.updateRole({ orgId: org.id, userId: owner.id, role: "viewer" }))).code).toBe("FORBIDDEN");
    expect((await failure(asUser(kernel, admin.id).orgs.members.transferOwnership({ orgId: org.id, userId: admin.id }))).code).toBe("FORBIDDEN");
    await asOwner.orgs.members.transferOwnership({ orgId: org.id, userId: admin.id });
    const roles = Object.fromEntries((await asOwner.orgs.members.list({ orgId: org.id })).items.map((m) => [m.userId, m.role]));
    expect(roles).toEqual({ [owner.id]: "admin", [admin.id]: "owner" });
    await asOwner.orgs.members.leave({ orgId: org.id });
    expect((await failure(asOwner.orgs.members.list({ orgId: org.id }))).code).toBe("NOT_FOUND");
  });

  test("delete needs the slug typed, hides the org at once, and the CLI can restore it", async () => {
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const caller = asUser(kernel, owner.id);
    expect((await failure(caller.orgs.delete({ orgId: org.id, confirmSlug: "nope" }))).fields).toHaveProperty("confirmSlug");
    await caller.orgs.delete({ orgId: org.id, confirmSlug: org.slug });
    expect((await failure(caller.projects.list({ orgId: org.id }))).code).toBe("NOT_FOUND");
    const { runCli } = await import("../../scripts/cli");
    const { testPlugins } = await import("../setup/plugins");
    const out: string[] = [];
    const code = await runCli(["orgs:restore", "--slug", org.slug], { plugins: testPlugins, print: (l) => out.push(l), env: { DATABASE_URL: k.url, LOG_LEVEL: "silent", ATRIUM_SECRET: kernel.secret } });
    expect(code).toBe(0);
    expect(await caller.projects.list({ orgId: org.id })).toEqual({ items: [], nextCursor: null });
  });
});

describe("invitations", () => {
  test("invite by email, accept once with the matching account, join with the invited role", async () => {
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const invitee = await createUser(kernel, "Invitee");
    const other = await createUser(kernel, "Someone else");
    const created = await asUser(kernel, owner.id).orgs.invitations.create({ orgId: org.id, email: invitee.email.toUpperCase(), role: "viewer" });
    const token = created.link.split("/invite/")[1]!;
    // The mail went out with the link; the secret itself is not in the audit log.
    const mail = await kernel.ownerDb.selectFrom("mail_outbox").selectAll().where("to_address", "=", invitee.email).executeTakeFirstOrThrow();
    expect(mail.text_body).toContain(created.link);
    const audit = await kernel.ownerDb.selectFrom("audit_events").select("data").where("action", "=", "invitation.create").where("org_id", "=", org.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.data)).not.toContain(token);

    expect(await callerFor(kernel).orgs.invitations.preview({ token })).toMatchObject({ orgSlug: org.slug, role: "viewer", status: "pending" });
    const wrong = await signedIn(other.id);
    expect((await failure(wrong.caller.orgs.invitations.accept({ token }))).code).toBe("FORBIDDEN");
    const right = await signedIn(invitee.id);
    expect(await right.caller.orgs.invitations.accept({ token })).toMatchObject({ orgId: org.id, role: "viewer" });
    expect((await failure(right.caller.orgs.invitations.accept({ token }))).code).toBe("CONFLICT");
    expect((await right.caller.auth.me())!.orgs).toEqual([expect.objectContaining({ id: org.id, role: "viewer" })]);
  });

  test("expired and revoked invitations cannot be accepted; garbage tokens are simply invalid", async () => {
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const invitee = await createUser(kernel);
    const a = await asUser(kernel, owner.id).orgs.invitations.create({ orgId: org.id, email: invitee.email, role: "editor" });
    await kernel.ownerDb.updateTable("invitations").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", a.id).execute();
    const { caller } = await signedIn(invitee.id);
    expect((await failure(caller.orgs.invitations.accept({ token: a.link.split("/invite/")[1]! }))).message).toMatch(/expired/);
    const b = await asUser(kernel, owner.id).orgs.invitations.create({ orgId: org.id, email: invitee.email, role: "editor" });
    await asUser(kernel, owner.id).orgs.invitations.revoke({ orgId: org.id, invitationId: b.id });
    expect((await failure(caller.orgs.invitations.accept({ token: b.link.split("/invite/")[1]! }))).message).toMatch(/revoked/);
    expect((await failure(caller.orgs.invitations.accept({ token: "inv_garbage" }))).code).toBe("NOT_FOUND");
  });
});

describe("projects", () => {
  test("project-level roles override the org role in both directions", async () => {
    const owner = await createUser(kernel);
    const viewer = await createUser(kernel);
    const editor = await createUser(kernel);
    const org = await createOrg(kernel, [
      { userId: owner.id, role: "owner" },
      { userId: viewer.id, role: "viewer" },
      { userId: editor.id, role: "editor" },
    ]);
    const project = await asUser(kernel, owner.id).projects.create({ orgId: org.id, slug: "sales", name: "Sales" });
    expect((await failure(asUser(kernel, owner.id).projects.create({ orgId: org.id, slug: "sales", name: "Again" }))).fields).toHaveProperty("slug");
    const rename = (userId: string, name: string) => asUser(kernel, userId).projects.update({ orgId: org.id, projectId: project.id, name });
    expect((await failure(rename(viewer.id, "Nope"))).code).toBe("FORBIDDEN");
    await asUser(kernel, owner.id).projects.roles.set({ orgId: org.id, projectId: project.id, userId: viewer.id, role: "editor" });
    await asUser(kernel, owner.id).projects.roles.set({ orgId: org.id, projectId: project.id, userId: editor.id, role: "viewer" });
    expect((await rename(viewer.id, "Sales EMEA")).name).toBe("Sales EMEA");
    expect((await failure(rename(editor.id, "Nope"))).code).toBe("FORBIDDEN");
    expect((await asUser(kernel, viewer.id).projects.bySlug({ orgId: org.id, slug: "sales" })).role).toBe("editor");

    // The org and the project in one call, the project exactly as projects.bySlug answers it.
    const both = await asUser(kernel, viewer.id).orgs.bySlug({ slug: org.slug, projectSlug: "SALES" });
    expect(both).toMatchObject({ id: org.id, role: "viewer" });
    expect(both.project).toEqual(await asUser(kernel, viewer.id).projects.bySlug({ orgId: org.id, slug: "sales" }));
    expect(both.project).toMatchObject({ id: project.id, role: "editor" });
    // A project that does not exist (or was deleted) is null; the org alone is unchanged.
    expect((await asUser(kernel, viewer.id).orgs.bySlug({ slug: org.slug, projectSlug: "nope" })).project).toBeNull();
    expect(await asUser(kernel, viewer.id).orgs.bySlug({ slug: org.slug })).not.toHaveProperty("project");
    // Not a member: 404 either way.
    const outsider = await createUser(kernel);
    expect((await failure(asUser(kernel, outsider.id).orgs.bySlug({ slug: org.slug, projectSlug: "sales" }))).code).toBe("NOT_FOUND");
  });

  test("archive hides a project from the default list; delete needs confirmation and is final for users", async () => {
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const caller = asUser(kernel, owner.id);
    const p = await caller.projects.create({ orgId: org.id, slug: "old", name: "Old" });
    await caller.projects.setArchived({ orgId: org.id, projectId: p.id, archived: true });
    expect(await caller.projects.list({ orgId: org.id })).toEqual({ items: [], nextCursor: null });
    expect((await caller.projects.list({ orgId: org.id, includeArchived: true })).items.map((x) => x.slug)).toEqual(["old"]);
    await caller.projects.delete({ orgId: org.id, projectId: p.id, confirmSlug: "old" });
    expect((await failure(caller.projects.update({ orgId: org.id, projectId: p.id, name: "x" }))).code).toBe("NOT_FOUND");
  });
});

describe("sessions and tokens", () => {
  test("a valid session cookie resolves to its user; junk and unknown cookies are anonymous", async () => {
    const user = await createUser(kernel);
    const { token } = await signedIn(user.id);
    const headers = (cookie: string) => new Headers({ cookie });
    expect((await resolveCaller(kernel, headers(`${SESSION_COOKIE}=${token}`))).actor).toMatchObject({ kind: "user", userId: user.id });
    expect((await resolveCaller(kernel, headers(`${SESSION_COOKIE}=${"a".repeat(32)}`))).actor).toEqual({ kind: "anonymous" });
    expect((await resolveCaller(kernel, headers(`${SESSION_COOKIE}=<script>`))).actor).toEqual({ kind: "anonymous" });
  });

  test("sessions slide: a session past half its life is extended and the cookie re-sent", async () => {
    const user = await createUser(kernel);
    const { token, sessionId } = await signedIn(user.id);
    await kernel.ownerDb.updateTable("sessions").set({ expires_at: new Date(Date.now() + 5 * 86_400_000) }).where("id", "=", sessionId).execute();
    const resolved = await resolveCaller(kernel, new Headers({ cookie: `${SESSION_COOKIE}=${token}` }));
    expect(resolved.setCookie).toMatch(/HttpOnly; SameSite=Lax/);
    const row = await kernel.ownerDb.selectFrom("sessions").select("expires_at").where("id", "=", sessionId).executeTakeFirstOrThrow();
    expect(row.expires_at.getTime()).toBeGreaterThan(Date.now() + 29 * 86_400_000);
    await kernel.ownerDb.updateTable("sessions").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", sessionId).execute();
    expect((await resolveCaller(kernel, new Headers({ cookie: `${SESSION_COOKIE}=${token}` }))).actor.kind).toBe("anonymous");
  });

  test("list and revoke my sessions; sign out other devices keeps this one", async () => {
    const user = await createUser(kernel);
    const a = await signedIn(user.id);
    await signedIn(user.id);
    const c = await signedIn(user.id);
    const list = await a.caller.auth.sessions.list();
    expect(list).toHaveLength(3);
    expect(list.filter((s) => s.current)).toHaveLength(1);
    const cHandle = c.sessionId.slice(0, 16);
    await a.caller.auth.sessions.revoke({ id: cHandle });
    expect((await a.caller.auth.sessions.revokeOthers()).revoked).toBe(1);
    expect(await a.caller.auth.sessions.list()).toEqual([expect.objectContaining({ current: true })]);
  });

  test("tokens: shown once, hashed at rest, scoped, org-bound, revocable; bad ones are 401, never anonymous", async () => {
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const otherOrg = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const { caller } = await signedIn(owner.id);
    const readToken = await caller.auth.tokens.create({ orgId: org.id, name: "reader", scopes: ["read"] });
    expect(readToken.token).toMatch(/^atr_[a-z2-7]{32}$/);
    const stored = await kernel.ownerDb.selectFrom("api_tokens").select("token_hash").where("id", "=", readToken.id).executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(readToken.token.slice(4));

    const bearer = async (token: string) => (await resolveCaller(kernel, new Headers({ authorization: `Bearer ${token}` }))).actor;
    const actor = await bearer(readToken.token);
    expect(actor).toMatchObject({ kind: "token", userId: owner.id, orgId: org.id, scopes: ["read"] });
    const viaToken = callerFor(kernel, actor);
    expect(await viaToken.projects.list({ orgId: org.id })).toEqual({ items: [], nextCursor: null });
    expect((await failure(viaToken.projects.create({ orgId: org.id, slug: "x", name: "x" }))).code).toBe("FORBIDDEN");
    expect((await failure(viaToken.projects.list({ orgId: otherOrg.id }))).code).toBe("NOT_FOUND");
    expect((await viaToken.auth.me())!.orgs.map((o) => o.id)).toEqual([org.id]);
    expect((await failure(viaToken.auth.tokens.list())).code).toBe("FORBIDDEN");

    await expect(resolveCaller(kernel, new Headers({ authorization: "Bearer nonsense" }))).rejects.toBeInstanceOf(BearerRejected);
    await expect(resolveCaller(kernel, new Headers({ authorization: "Basic abc" }))).rejects.toBeInstanceOf(BearerRejected);
    await expect(bearer(`atr_${"a".repeat(32)}`)).rejects.toThrow(/unknown/);
    await kernel.ownerDb.updateTable("api_tokens").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", readToken.id).execute();
    await expect(bearer(readToken.token)).rejects.toThrow(/expired/);
    const writeToken = await caller.auth.tokens.create({ orgId: org.id, name: "writer", scopes: ["write"] });
    await caller.auth.tokens.revoke({ tokenId: writeToken.id });
    await expect(bearer(writeToken.token)).rejects.toThrow(/revoked/);
    const audit = await kernel.ownerDb.selectFrom("audit_events").select("data").where("org_id", "=", org.id).execute();
    expect(JSON.stringify(audit)).not.toContain(writeToken.token);
  });

  test("state-changing requests riding on cookies must come from our origin", () => {
    const post = (headers: Record<string, string>) => ({ method: "POST", headers: new Headers(headers) });
    const base = "http://localhost:3000";
    expect(originProblem({ method: "GET", headers: new Headers() }, base)).toBeNull();
    expect(originProblem(post({ origin: base }), base)).toBeNull();
    expect(originProblem(post({ origin: "https://evil.example" }), base)).toMatch(/not allowed/);
    expect(originProblem(post({}), base)).toMatch(/Missing Origin/);
    expect(originProblem(post({ authorization: "Bearer x" }), base)).toBeNull();
  });
});

describe("row-level security backstop", () => {
  test("the app's role owns no table and cannot bypass RLS; every org_id table has a policy", async () => {
    const { rows } = await sql<{ rolsuper: boolean; rolbypassrls: boolean; current: string }>`
      select rolsuper, rolbypassrls, current_user as current from pg_roles where rolname = current_user`.execute(kernel.db);
    expect(rows[0]).toEqual({ rolsuper: false, rolbypassrls: false, current: APP_ROLE });
    const owned = await sql<{ n: number }>`
      select count(*)::int as n from pg_class c join pg_roles r on r.oid = c.relowner where r.rolname = ${APP_ROLE}`.execute(kernel.ownerDb);
    expect(owned.rows[0]!.n).toBe(0);
    expect(await tablesMissingRls(kernel.ownerDb)).toEqual([]);
  });

  test("a query under the wrong org sees nothing, and cannot write into another org", async () => {
    const owner = await createUser(kernel);
    const orgA = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const orgB = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    await asUser(kernel, owner.id).projects.create({ orgId: orgA.id, slug: "secret", name: "Secret" });
    const seen = await kernel.withScope({ orgId: orgB.id }, (trx) => trx.selectFrom("projects").select("slug").execute());
    expect(seen).toEqual([]);
    const unscoped = await kernel.db.selectFrom("projects").select("slug").execute();
    expect(unscoped).toEqual([]);
    await expect(
      kernel.withScope({ orgId: orgB.id }, (trx) => trx.insertInto("projects").values({ org_id: orgA.id, slug: "sneak", name: "x" }).execute()),
    ).rejects.toThrow(/row-level security/);
    // Even raw SQL cannot step out of the role.
    await expect(sql`set role postgres`.execute(kernel.db)).rejects.toThrow();
  });
});
