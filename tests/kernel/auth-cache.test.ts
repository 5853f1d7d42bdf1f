/**
 * The per-instance auth cache (src/kernel/auth/cache.ts) on two kernels sharing one database, as
 * two app instances would: answers come from the cache, and a revoked session, a revoked token,
 * a removed member and a disabled person are refused on the OTHER instance within a second.
 * Also: the tenant scope travels with BEGIN (src/kernel/db/scoped-begin.ts).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createSession, generateSessionToken, invalidateSession, sessionIdOf, SESSION_COOKIE } from "~/kernel/auth/session";
import { verifyAgentBearer } from "~/kernel/auth/bearer";
import { resolveCaller } from "~/kernel/auth/request";
import { scopeSql, scopedTransaction } from "~/kernel/db/scoped-begin";
import type { Kernel } from "~/kernel/kernel";
import { applyScope } from "~/kernel/scope";
import { availableTools } from "~/kernel/tools";
import type { Actor } from "~/kernel/trpc";
import { bootTestKernel } from "../setup/database";
import { callerFor, createOrg, createUser, testRouter } from "../setup/fixtures";

let a: Kernel;
let b: Kernel;
let closeA: () => Promise<void>;
let closeB: () => Promise<void>;

beforeAll(async () => {
  const first = await bootTestKernel();
  a = first.kernel;
  closeA = first.close;
  const second = await bootTestKernel({ url: first.url });
  b = second.kernel;
  closeB = second.close;
});

afterAll(async () => {
  await closeB?.();
  await closeA?.();
});

/** Polls `check` until it holds; returns how long that took (ms). */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Asks until one ask takes at least `least` answers from `kernel`'s cache: within a second, once
 * the notifications of the set-up's own writes have arrived (a value read while one arrives is
 * not kept, so the ask after it may read again).
 */
async function servedFromCache(kernel: Kernel, ask: () => Promise<unknown>, least = 1): Promise<void> {
  await within(1000, async () => {
    const hits = kernel.authCache.stats.hits;
    await ask();
    return kernel.authCache.stats.hits - hits >= least;
  });
}

async function signedIn(kernel: Kernel, userId: string) {
  const token = generateSessionToken();
  await createSession(kernel.db, token, userId);
  return { token, headers: () => new Headers({ cookie: `${SESSION_COOKIE}=${token}` }) };
}

describe("two instances on one database", () => {
  test("both listen for invalidations", () => {
    expect(a.authCache.listening).toBe(true);
    expect(b.authCache.listening).toBe(true);
  });

  test("a session is read once per instance, and signing it out on one refuses it on the other within a second", async () => {
    const user = await createUser(a);
    const session = await signedIn(a, user.id);
    expect((await resolveCaller(b, session.headers())).actor).toMatchObject({ kind: "user", userId: user.id });
    await servedFromCache(b, async () => expect((await resolveCaller(b, session.headers())).actor).toMatchObject({ kind: "user", userId: user.id }));

    await invalidateSession(a.db, sessionIdOf(session.token));
    const took = await within(1000, async () => (await resolveCaller(b, session.headers())).actor.kind === "anonymous");
    expect(took).toBeLessThan(1000);
    // And on the instance that signed it out, at once.
    expect((await resolveCaller(a, session.headers())).actor.kind).toBe("anonymous");
  });

  test("a removed member is refused on the other instance within a second (the role was cached there)", async () => {
    const owner = await createUser(a);
    const member = await createUser(a);
    const org = await createOrg(a, [
      { userId: owner.id, role: "owner" },
      { userId: member.id, role: "editor" },
    ]);
    const onB = callerFor(b, { kind: "user", userId: member.id });
    expect(await onB.projects.list({ orgId: org.id })).toEqual({ items: [], nextCursor: null });
    await servedFromCache(b, async () => expect(await onB.projects.list({ orgId: org.id })).toEqual({ items: [], nextCursor: null }));

    await callerFor(a, { kind: "user", userId: owner.id }).orgs.members.remove({ orgId: org.id, userId: member.id });
    await within(1000, async () => {
      const outcome = await onB.projects.list({ orgId: org.id }).then(
        () => "allowed",
        (err: { code?: string }) => err.code,
      );
      return outcome === "NOT_FOUND";
    });
  });

  test("a role lowered on one instance is what the other checks within a second", async () => {
    const owner = await createUser(a);
    const member = await createUser(a);
    const org = await createOrg(a, [
      { userId: owner.id, role: "owner" },
      { userId: member.id, role: "admin" },
    ]);
    const onB = callerFor(b, { kind: "user", userId: member.id });
    expect((await onB.orgs.members.list({ orgId: org.id })).items).toHaveLength(2);
    await onB.orgs.invitations.list({ orgId: org.id });
    await callerFor(a, { kind: "user", userId: owner.id }).orgs.members.updateRole({ orgId: org.id, userId: member.id, role: "viewer" });
    await within(1000, async () =>
      onB.orgs.invitations.list({ orgId: org.id }).then(
        () => false,
        (err: { code?: string }) => err.code === "FORBIDDEN",
      ),
    );
  });

  test("a member's project roles (the MCP tool list's input) are cached, and a project role granted on one instance widens the list on the other within a second", async () => {
    const owner = await createUser(a);
    const member = await createUser(a);
    const org = await createOrg(a, [
      { userId: owner.id, role: "owner" },
      { userId: member.id, role: "viewer" },
    ]);
    const project = await a.ownerDb.insertInto("projects").values({ org_id: org.id, slug: "roles-cache", name: "Roles cache" }).returning("id").executeTakeFirstOrThrow();
    const actor: Actor = { kind: "token", userId: member.id, tokenId: crypto.randomUUID(), orgId: org.id, scopes: ["read", "write"], projectIds: null };
    const names = async () => (await availableTools(b, testRouter, actor)).map((t) => t.name);
    expect(await names()).not.toContain("create_dashboard");
    // Asked again, the roles come from the cache (once the notifications of the set-up's own
    // writes on the other instance have arrived: a value read while one comes is not kept).
    await servedFromCache(b, names);

    await a.ownerDb.insertInto("project_roles").values({ org_id: org.id, project_id: project.id, user_id: member.id, role: "editor" }).execute();
    expect(await within(1000, async () => (await names()).includes("create_dashboard"))).toBeLessThan(1000);
    // Deleting the project takes the role's reach away again.
    await a.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("id", "=", project.id).execute();
    expect(await within(1000, async () => !(await names()).includes("create_dashboard"))).toBeLessThan(1000);
  });

  test("a project role read by the guard is cached, and a project role removed or a project deleted on one instance is enforced on the other within a second", async () => {
    const owner = await createUser(a);
    const member = await createUser(a);
    const org = await createOrg(a, [
      { userId: owner.id, role: "owner" },
      { userId: member.id, role: "viewer" },
    ]);
    const project = await callerFor(a, { kind: "user", userId: owner.id }).projects.create({ orgId: org.id, slug: "guard-cache", name: "Guard cache" });
    await a.ownerDb.insertInto("project_roles").values({ org_id: org.id, project_id: project.id, user_id: member.id, role: "editor" }).execute();
    const onB = callerFor(b, { kind: "user", userId: member.id });
    const canEdit = () =>
      onB.dashboards.create({ orgId: org.id, projectId: project.id, yaml: "title: Guard cache\n", slug: `g-${crypto.randomUUID().slice(0, 8)}` }).then(
        () => "ok",
        (err: { code?: string }) => err.code ?? "error",
      );
    expect(await canEdit()).toBe("ok");
    // Creating wrote to no watched table: the next call's org and project roles come from the cache.
    await servedFromCache(b, async () => expect(await canEdit()).toBe("ok"), 2);

    await a.ownerDb.deleteFrom("project_roles").where("project_id", "=", project.id).where("user_id", "=", member.id).execute();
    await within(1000, async () => (await canEdit()) === "FORBIDDEN");
    await a.ownerDb.updateTable("projects").set({ deleted_at: new Date() }).where("id", "=", project.id).execute();
    await within(1000, async () => (await canEdit()) === "NOT_FOUND");
  });

  test("a revoked token, and a disabled person's session, are refused on the other instance within a second", async () => {
    const user = await createUser(a);
    const org = await createOrg(a, [{ userId: user.id, role: "owner" }]);
    const created = await callerFor(a, { kind: "user", userId: user.id }).auth.tokens.create({ orgId: org.id, name: "agent", scopes: ["read"] });
    const bearer = () => resolveCaller(b, new Headers({ authorization: `Bearer ${created.token}` }));
    expect((await bearer()).actor).toMatchObject({ kind: "token", orgId: org.id });
    expect((await bearer()).actor).toMatchObject({ kind: "token", orgId: org.id });

    await callerFor(a, { kind: "user", userId: user.id }).auth.tokens.revoke({ tokenId: created.id });
    await within(1000, () => bearer().then(() => false, (err: Error) => /revoked/.test(err.message)));

    const session = await signedIn(a, user.id);
    expect((await resolveCaller(b, session.headers())).actor.kind).toBe("user");
    await a.ownerDb.updateTable("users").set({ disabled_at: new Date() }).where("id", "=", user.id).execute();
    await within(1000, async () => (await resolveCaller(b, session.headers())).actor.kind === "anonymous");
  });

  test("an org's agent setting is read once per instance, and agents turned off on one instance are refused on the other within a second", async () => {
    const user = await createUser(a);
    const org = await createOrg(a, [{ userId: user.id, role: "owner" }]);
    const created = await callerFor(a, { kind: "user", userId: user.id }).auth.tokens.create({ orgId: org.id, name: "agent", scopes: ["read", "write"] });
    const resource = `${b.config.publicUrl}/mcp`;
    const check = () => verifyAgentBearer(b, created.token, { resource });
    expect(await check()).toMatchObject({ ok: true, bearer: { scopes: ["read", "write"] } });
    // The token and the org's setting both come from the cache.
    await servedFromCache(b, async () => expect(await check()).toMatchObject({ ok: true }), 2);

    const settings = callerFor(a, { kind: "user", userId: user.id }).mcpOauth.settings;
    await settings.update({ orgId: org.id, agents: "read" });
    await within(1000, async () => {
      const answer = await check();
      return answer.ok && answer.bearer.scopes.join() === "read";
    });
    await settings.update({ orgId: org.id, agents: "off" });
    await within(1000, async () => {
      const answer = await check();
      return !answer.ok && answer.status === 403;
    });
    await settings.update({ orgId: org.id, agents: "write" });
    await within(1000, async () => (await check()).ok);
  });

  test("nothing is cached while invalidations cannot be heard", async () => {
    const kernel = await bootTestKernel({ url: a.config.databaseUrl });
    try {
      await kernel.kernel.authCache.stop();
      const user = await createUser(kernel.kernel);
      const session = await signedIn(kernel.kernel, user.id);
      await resolveCaller(kernel.kernel, session.headers());
      const hits = kernel.kernel.authCache.stats.hits;
      await resolveCaller(kernel.kernel, session.headers());
      expect(kernel.kernel.authCache.stats.hits).toBe(hits);
    } finally {
      await kernel.close();
    }
  });
});

describe("the scope travels with BEGIN", () => {
  test("the first statement of a scoped transaction already runs under the scope", async () => {
    const user = await createUser(a);
    const org = await createOrg(a, [{ userId: user.id, role: "owner" }]);
    const seen = await scopedTransaction(a.db, { userId: user.id, orgId: org.id }, applyScope, async (trx) => {
      const { rows } = await sql<{ u: string; o: string }>`select current_setting('app.user_id', true) as u, current_setting('app.org_id', true) as o`.execute(trx);
      return rows[0];
    });
    expect(seen).toEqual({ u: user.id, o: org.id });
    // The scope ends with the transaction.
    const after = await a.db.connection().execute(async (conn) => (await sql<{ o: string | null }>`select current_setting('app.org_id', true) as o`.execute(conn)).rows[0]?.o);
    expect(after ?? "").toBe("");
  });

  test("only ids are written into the scope statement; anything else is sent as a parameter instead", async () => {
    expect(scopeSql({ userId: "2f1c6a4e-0000-4000-8000-000000000000", orgId: null })).toBe("select set_config('app.user_id', '2f1c6a4e-0000-4000-8000-000000000000', true), set_config('app.org_id', '', true)");
    expect(scopeSql({ userId: "x'); drop table users; --", orgId: null })).toBeNull();
    const weird = "not-an-id but harmless'";
    const seen = await scopedTransaction(a.db, { userId: weird, orgId: null }, applyScope, async (trx) => {
      const { rows } = await sql<{ u: string }>`select current_setting('app.user_id', true) as u`.execute(trx);
      return rows[0]?.u;
    });
    expect(seen).toBe(weird);
  });
});
