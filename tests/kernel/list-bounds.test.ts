/**
 * A person's lists stay bounded however long they use Atrium: at most 100 live API tokens (the
 * 101st is refused on `name`, also when two creations race), a token list of the live ones and
 * those ended in the last 30 days (at most 200, live ones never pushed out), and at most 100 live
 * sessions (signing in ends the least recently seen one, which every instance then refuses).
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { generateSessionToken, MAX_LIVE_SESSIONS, SESSION_COOKIE, sessionIdOf } from "~/kernel/auth/session";
import { resolveCaller } from "~/kernel/auth/request";
import { startSession } from "~/kernel/auth/sign-in";
import { MAX_LIVE_TOKENS } from "~/kernel/auth/tokens";
import { lockForTransaction } from "~/kernel/db/locks";
import type { Kernel } from "~/kernel/kernel";
import { TOKENS_LISTED } from "~/kernel/routers/auth";
import { createApiHandler } from "~/server/api";
import { bootTestKernel } from "../setup/database";
import { useTestKernel } from "../setup/kernel";
import { asUser, callerFor, createOrg, createUser, refusalOf, testRouter } from "../setup/fixtures";
import { testPlugins } from "../setup/plugins";

const booted = useTestKernel();

/** `count` tokens of `userId` in `orgId`, written directly; `ended` says how each stopped working (none: live). */
async function seedTokens(kernel: Kernel, userId: string, orgId: string, count: number, ended: { revoked?: string; expired?: string; created?: string } = {}) {
  await sql`insert into api_tokens (user_id, org_id, name, token_hash, scopes, revoked_at, expires_at, created_at)
    select ${userId}::uuid, ${orgId}::uuid, 'seeded ' || i, md5(random()::text || i), '{read}',
      now() - ${ended.revoked ?? null}::interval,
      coalesce(now() - ${ended.expired ?? null}::interval, now() + interval '90 days'),
      now() - coalesce(${ended.created ?? null}::interval, interval '0') - i * interval '1 second'
    from generate_series(1, ${count}::int) as i`.execute(kernel.ownerDb);
}

async function liveTokens(kernel: Kernel, userId: string): Promise<number> {
  const { rows } = await sql<{ n: number }>`select count(*)::int as n from api_tokens
    where user_id = ${userId} and revoked_at is null and (expires_at is null or expires_at > now())`.execute(kernel.ownerDb);
  return rows[0]!.n;
}

test("a limit's lock is only taken inside a transaction (outside one it would end before the write it guards)", async () => {
  const { kernel } = booted;
  await expect(lockForTransaction(kernel.db, "atrium:test:outside")).rejects.toThrow(/inside a transaction/);
  await expect(kernel.db.transaction().execute((trx) => lockForTransaction(trx, "atrium:test:inside"))).resolves.toBeUndefined();
});

describe("API tokens", () => {
  test(`at most ${MAX_LIVE_TOKENS} live tokens a person across orgs: the next is refused on name; revoked and expired ones do not count`, async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const first = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    const second = await createOrg(kernel, [{ userId: user.id, role: "editor" }]);
    await seedTokens(kernel, user.id, first.id, 60);
    await seedTokens(kernel, user.id, second.id, 39);
    await seedTokens(kernel, user.id, first.id, 20, { revoked: "1 day" });
    await seedTokens(kernel, user.id, second.id, 20, { expired: "1 day" });
    const caller = asUser(kernel, user.id);

    const hundredth = await caller.auth.tokens.create({ orgId: second.id, name: "The hundredth", scopes: ["read"] });
    expect(await liveTokens(kernel, user.id)).toBe(MAX_LIVE_TOKENS);
    const refused = await refusalOf(caller.auth.tokens.create({ orgId: first.id, name: "One too many", scopes: ["read"] }));
    expect(refused).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { name: [expect.stringContaining(`at most ${MAX_LIVE_TOKENS} active tokens`)] } });
    expect(await liveTokens(kernel, user.id)).toBe(MAX_LIVE_TOKENS);

    // Revoking one makes room again.
    await caller.auth.tokens.revoke({ tokenId: hundredth.id });
    await expect(caller.auth.tokens.create({ orgId: first.id, name: "In its place", scopes: ["read"] })).resolves.toMatchObject({ name: "In its place" });
    expect(await liveTokens(kernel, user.id)).toBe(MAX_LIVE_TOKENS);
  });

  test("creations racing for the last places: only as many pass as there is room for (the count is taken under a lock on the person)", async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    await seedTokens(kernel, user.id, org.id, MAX_LIVE_TOKENS - 2);
    const caller = asUser(kernel, user.id);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => caller.auth.tokens.create({ orgId: org.id, name: `Racer ${i}`, scopes: ["read"] })),
    );
    expect(outcomes.filter((o) => o.status === "fulfilled")).toHaveLength(2);
    for (const lost of outcomes.filter((o) => o.status === "rejected")) {
      expect(await refusalOf(Promise.reject(lost.reason))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { name: [expect.any(String)] } });
    }
    expect(await liveTokens(kernel, user.id)).toBe(MAX_LIVE_TOKENS);
  });

  test("the list holds live tokens and those ended in the last 30 days, newest first; a token revoked longer ago leaves it", async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    const caller = asUser(kernel, user.id);
    const made = async (name: string, expiresInDays: number | null = 90) => caller.auth.tokens.create({ orgId: org.id, name, scopes: ["read"], expiresInDays });
    const forever = await made("Never expires", null);
    const revokedLately = await made("Revoked lately");
    const revokedLongAgo = await made("Revoked long ago");
    const expiredLately = await made("Expired lately");
    const expiredLongAgo = await made("Expired long ago");
    const live = await made("Live");
    await caller.auth.tokens.revoke({ tokenId: revokedLately.id });
    await caller.auth.tokens.revoke({ tokenId: revokedLongAgo.id });
    const set = (id: string, column: "revoked_at" | "expires_at", ago: string) =>
      sql`update api_tokens set ${sql.ref(column)} = now() - ${ago}::interval where id = ${id}`.execute(kernel.ownerDb);
    await set(revokedLately.id, "revoked_at", "29 days");
    await set(revokedLongAgo.id, "revoked_at", "31 days");
    await set(expiredLately.id, "expires_at", "2 days");
    await set(expiredLongAgo.id, "expires_at", "40 days");
    // Each a minute older than the next, so "newest first" has one answer.
    for (const [i, t] of [forever, revokedLately, revokedLongAgo, expiredLately, expiredLongAgo, live].entries()) {
      await sql`update api_tokens set created_at = now() - ${60 - i}::int * interval '1 minute' where id = ${t.id}`.execute(kernel.ownerDb);
    }

    const listed = await caller.auth.tokens.list();
    expect(listed.map((t) => t.name)).toEqual(["Live", "Expired lately", "Revoked lately", "Never expires"]);
    expect(listed.find((t) => t.name === "Revoked lately")).toMatchObject({ revokedAt: expect.any(Date) });
  });

  test(`at most ${TOKENS_LISTED} listed, newest first, and a live token is never pushed out by ended ones`, async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: user.id, role: "owner" }]);
    // An old live token, then 250 newer ones revoked within the month.
    await seedTokens(kernel, user.id, org.id, 1, { created: "60 days" });
    await seedTokens(kernel, user.id, org.id, 250, { revoked: "1 day", created: "1 day" });
    const listed = await asUser(kernel, user.id).auth.tokens.list();
    expect(listed).toHaveLength(TOKENS_LISTED);
    const created = listed.map((t) => new Date(t.createdAt).getTime());
    expect(created).toEqual([...created].sort((a, b) => b - a));
    expect(listed.filter((t) => t.revokedAt === null)).toHaveLength(1);
    expect(listed.at(-1)!.revokedAt).toBeNull(); // the oldest, listed last
  });
});

describe("sessions", () => {
  let other: Awaited<ReturnType<typeof bootTestKernel>>;
  let server: http.Server;
  let api: string;
  beforeAll(async () => {
    const { kernel } = booted;
    // A second instance on the same database, as a second app server would be.
    other = await bootTestKernel({ url: kernel.config.databaseUrl });
    server = http.createServer((req, res) => {
      void createApiHandler({ kernel: async () => kernel, router: testRouter, plugins: testPlugins })(req, res).then((served) => {
        if (!served) res.writeHead(404).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    api = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
    await other?.close();
  });

  /**
   * `count` live sessions of `userId`, written directly, a second apart in when they were last
   * seen (the first least recently; all within five minutes, so reading one does not touch it);
   * their tokens.
   */
  async function seedSessions(kernel: Kernel, userId: string, count: number): Promise<string[]> {
    const tokens = Array.from({ length: count }, () => generateSessionToken());
    await sql`insert into sessions (id, user_id, expires_at, last_seen_at, created_at)
      select t.id, ${userId}::uuid, now() + interval '20 days', now() - (${count}::int - t.n) * interval '1 second', now() - interval '5 days'
      from unnest(${tokens.map(sessionIdOf)}::text[]) with ordinality as t(id, n)`.execute(kernel.ownerDb);
    return tokens;
  }

  const cookie = (token: string) => new Headers({ cookie: `${SESSION_COOKIE}=${token}` });
  const listOverHttp = (token: string) => fetch(`${api}/api/trpc/auth.sessions.list`, { headers: { cookie: `${SESSION_COOKIE}=${token}` } });

  async function within(ms: number, check: () => Promise<boolean>): Promise<void> {
    const started = performance.now();
    while (!(await check())) {
      if (performance.now() - started > ms) throw new Error(`not within ${ms} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  test(`signing in past ${MAX_LIVE_SESSIONS} live sessions ends the least recently seen one, and every instance refuses it`, async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    const tokens = await seedSessions(kernel, user.id, MAX_LIVE_SESSIONS);
    // An expired session is neither counted nor the one ended (housekeeping removes it later).
    await sql`insert into sessions (id, user_id, expires_at, last_seen_at) values (${sessionIdOf(generateSessionToken())}, ${user.id}, now() - interval '1 hour', now() - interval '40 days')`.execute(kernel.ownerDb);
    const [oldest, secondOldest] = tokens;

    // Both instances know the oldest session, and the second one answers it from its cache.
    expect((await resolveCaller(kernel, cookie(oldest!))).actor).toMatchObject({ kind: "user", userId: user.id });
    await within(1000, async () => {
      const hits = other.kernel.authCache.stats.hits;
      expect((await resolveCaller(other.kernel, cookie(oldest!))).actor).toMatchObject({ kind: "user", userId: user.id });
      return other.kernel.authCache.stats.hits > hits;
    });
    expect((await listOverHttp(oldest!)).status).toBe(200);

    const signedIn = await startSession({ kernel, resHeaders: new Headers(), ip: "127.0.0.1", userAgent: "test" }, user.id, "password");

    const { rows } = await sql<{ id: string; live: boolean }>`select id, expires_at > now() as live from sessions where user_id = ${user.id}`.execute(kernel.ownerDb);
    expect(rows.filter((r) => r.live)).toHaveLength(MAX_LIVE_SESSIONS);
    expect(rows).toHaveLength(MAX_LIVE_SESSIONS + 1); // and the expired one
    const kept = new Set(rows.map((r) => r.id));
    expect(kept.has(sessionIdOf(oldest!))).toBe(false);
    expect(kept.has(sessionIdOf(secondOldest!))).toBe(true);
    expect(kept.has(sessionIdOf(signedIn.token))).toBe(true);

    // Refused at once where it was ended, within a second on the other instance, and by the API.
    expect((await resolveCaller(kernel, cookie(oldest!))).actor.kind).toBe("anonymous");
    await within(1000, async () => (await resolveCaller(other.kernel, cookie(oldest!))).actor.kind === "anonymous");
    expect((await listOverHttp(oldest!)).status).toBe(401);
    const listed = await listOverHttp(signedIn.token);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { result: { data: Array<{ current: boolean }> } };
    expect(body.result.data).toHaveLength(MAX_LIVE_SESSIONS);
    expect(body.result.data.filter((s) => s.current)).toHaveLength(1);
  });

  test(`the list answers at most ${MAX_LIVE_SESSIONS}, most recently seen first`, async () => {
    const { kernel } = booted;
    const user = await createUser(kernel);
    // More than sign-in would leave (written directly, as sessions made before the limit may be).
    const tokens = await seedSessions(kernel, user.id, MAX_LIVE_SESSIONS + 20);
    const current = tokens.at(-1)!;
    const listed = await callerFor(kernel, { kind: "user", userId: user.id, sessionId: sessionIdOf(current) }).auth.sessions.list();
    expect(listed).toHaveLength(MAX_LIVE_SESSIONS);
    expect(listed[0]).toMatchObject({ id: sessionIdOf(current).slice(0, 16), current: true });
    const seen = listed.map((s) => new Date(s.lastSeenAt).getTime());
    expect(seen).toEqual([...seen].sort((a, b) => b - a));
  });
});
