/**
 * Signed embeds on real PostgreSQL and through the kernel's HTTP dispatcher, as the embedding
 * site would do it: its server signs an HS256 token with the project's key (here with jose, as
 * the dialog's Node snippet does) and the page posts it. Tampering, expiry, over-scoped claims,
 * a dashboard's "revoke all embeds", key rotation with an overlap window and retirement, locked
 * params as bound filters, the allowed origins as frame-ancestors, and create_embed_token.
 */
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import type { Kernel } from "~/kernel/kernel";
import { bootTestKernel } from "../../tests/setup/database";
import { testRouter, unique } from "../../tests/setup/fixtures";
import { testPlugins } from "../../tests/setup/plugins";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, rejectionOf, workspace } from "../dashboards/test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let second: { kernel: Kernel; close: () => Promise<void> };
beforeAll(async () => {
  k = await bootDataKernel();
  second = await bootTestKernel({ url: k.url });
});
afterAll(async () => {
  await second?.kernel.stop();
  await k?.close();
});

const YAML = `title: Regional sales
source: warehouse
variables:
  - name: region
    type: select
    label: Region
    default: north
    options: [north, south, east]
  - name: status
    type: select
    default: open
    options: [open, closed]
queries:
  picked:
    sql: select cast({{region}} as text) as region, cast({{status}} as text) as status
charts:
  - id: picked
    title: Picked
    type: table
    query: picked
`;

const dispatcher = createHttpDispatcher(testPlugins);

async function embed(kernel: Kernel, token: string, variables?: Record<string, unknown>) {
  const env: DispatchEnv = { kernel, router: testRouter, requestId: unique("req"), ip: "203.0.113.9" };
  const response = await dispatcher.dispatch(
    new Request(`${kernel.config.publicUrl}/api/sharing/embed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, ...(variables ? { variables } : {}) }) }),
    env,
  );
  if (!response) throw new Error("no route");
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as { error?: { code: string }; results?: Record<string, { rows: unknown[] }>; dashboard?: { variables: { name: string; editable: boolean }[] }; exports?: string[] } };
}

/** Signs as the embedding site's server does. */
function sign(secret: string, kid: string, claims: Record<string, unknown>, times: { iat?: number; exp?: number } = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: "HS256", kid })
    .setIssuedAt(times.iat ?? now)
    .setExpirationTime(times.exp ?? now + 600)
    .sign(Buffer.from(secret, "utf8"));
}

async function embeddable() {
  const w = await workspace(k.kernel);
  await w.caller.dashboards.create({ ...w.at, yaml: YAML, slug: "sales" });
  const settings = await w.caller.sharing.embeds.settings({ ...w.at, slug: "sales" });
  const key = await w.caller.sharing.embeds.rotate({ ...w.at });
  return { w, dashboard: settings.dashboardId, key };
}

describe("a signed embed", () => {
  test("opens with a token the site signed: locked params are bound, allowed ones change, the answer is the allow-list", async () => {
    const { w, dashboard, key } = await embeddable();
    // The key is shown once: stored encrypted, never listed.
    const stored = await k.kernel.ownerDb.withTables<{ sharing_embed_secrets: { id: string; secret_enc: string } }>().selectFrom("sharing_embed_secrets").selectAll().where("id", "=", key.keyId).executeTakeFirstOrThrow();
    expect(stored.secret_enc).not.toContain(key.secret);
    const settings = await w.caller.sharing.embeds.settings({ ...w.at, slug: "sales" });
    expect(JSON.stringify(settings)).not.toContain(key.secret);
    expect(settings.keys).toEqual([expect.objectContaining({ id: key.keyId, status: "current" })]);

    const token = await sign(key.secret, key.keyId, { dashboard, params: { status: "closed" }, allowed: ["region"], exports: ["csv"] });
    const first = await embed(k.kernel, token);
    expect(first.status).toBe(200);
    expect(first.body.results!.picked!.rows).toEqual([{ region: "north", status: "closed" }]);
    expect(first.body.dashboard!.variables.map((v) => [v.name, v.editable])).toEqual([
      ["region", true],
      ["status", false],
    ]);
    expect(first.body.exports).toEqual(["csv"]);
    for (const secret of ["select cast", "{{", '"query"', "warehouse", '"sql"']) expect(first.text.toLowerCase()).not.toContain(secret);

    expect((await embed(k.kernel, token, { region: "south" })).body.results!.picked!.rows).toEqual([{ region: "south", status: "closed" }]);
    // A locked param is a bound filter: the viewer cannot change it.
    const locked = await embed(k.kernel, token, { status: "open" });
    expect(locked.status).toBe(422);
    expect(locked.text).toContain("variables.status");
  });

  test("views are counted per dashboard like a link's: each opening, with its key, address hash and variables; refusals and 422s count nothing", async () => {
    const { w, dashboard, key } = await embeddable();
    expect((await w.caller.sharing.embeds.settings({ ...w.at, slug: "sales" })).views).toEqual({ viewCount: 0, lastViewedAt: null });
    const token = await sign(key.secret, key.keyId, { dashboard, allowed: ["region"] });
    expect((await embed(k.kernel, token)).status).toBe(200);
    expect((await embed(second.kernel, token, { region: "east" })).status).toBe(200);
    // Refused or invalid openings are not views.
    expect((await embed(k.kernel, token, { region: "west" })).status).toBe(422);
    expect((await embed(k.kernel, await sign("a guessed key, not the project's", key.keyId, { dashboard }))).status).toBe(401);

    const { views } = await w.caller.sharing.embeds.settings({ ...w.at, slug: "sales" });
    expect(views.viewCount).toBe(2);
    expect(Date.now() - Date.parse(views.lastViewedAt!)).toBeLessThan(60_000);
    const rows = await k.kernel.ownerDb
      .withTables<{ sharing_embed_views: { dashboard_id: string; key_id: string | null; ip_hash: string | null; variables: unknown; viewed_at: Date } }>()
      .selectFrom("sharing_embed_views")
      .select(["key_id", "ip_hash", "variables"])
      .where("dashboard_id", "=", dashboard)
      .orderBy("viewed_at")
      .execute();
    expect(rows.map((r) => [r.key_id, (r.variables as { region: string }).region])).toEqual([
      [key.keyId, "north"],
      [key.keyId, "east"],
    ]);
    // The address is kept only as a keyed hash.
    expect(rows[0]!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(rows)).not.toContain("203.0.113.9");
    // Another dashboard's count is its own.
    const other = await embeddable();
    expect((await other.w.caller.sharing.embeds.settings({ ...other.w.at, slug: "sales" })).views.viewCount).toBe(0);
  });

  test("the Shared links pages (the org's and my own) show a link's dashboard's embed views beside the link's own", async () => {
    const { w, dashboard, key } = await embeddable();
    const editor = await colleague(k.kernel, w.org.id, "editor");
    await editor.caller.sharing.links.create({ ...w.at, slug: "sales", expiresInDays: 7 });
    const before = await w.caller.sharing.links.org({ orgId: w.org.id });
    expect(before.links.map((l) => [l.viewCount, l.embedViews])).toEqual([[0, null]]);
    const token = await sign(key.secret, key.keyId, { dashboard });
    expect((await embed(k.kernel, token)).status).toBe(200);
    expect((await embed(k.kernel, token)).status).toBe(200);

    const org = await w.caller.sharing.links.org({ orgId: w.org.id });
    expect(org.links[0]!.viewCount).toBe(0);
    expect(org.links[0]!.embedViews).toMatchObject({ viewCount: 2 });
    expect(Date.now() - Date.parse(org.links[0]!.embedViews!.lastViewedAt!)).toBeLessThan(60_000);
    expect((await editor.caller.sharing.links.mine()).links.map((l) => l.embedViews?.viewCount)).toEqual([2]);
    // Once the maker may no longer manage the project's sharing, their own list keeps the link but not the embeds' views
    // (the role cache hears of the change through the database's notification: polled).
    await k.kernel.ownerDb.updateTable("memberships").set({ role: "viewer" }).where("user_id", "=", editor.user.id).where("org_id", "=", w.org.id).execute();
    await expect.poll(async () => (await editor.caller.sharing.links.mine()).links.map((l) => [l.dashboardId, l.embedViews]), { timeout: 5000 }).toEqual([[dashboard, null]]);
  });

  test("refuses tampered, foreign, expired and over-scoped tokens with a 401 that says why", async () => {
    const { dashboard, key } = await embeddable();
    const good = await sign(key.secret, key.keyId, { dashboard, allowed: ["region"] });
    // Tampered: the payload now allows more, the signature is the old one.
    const [header, , signature] = good.split(".");
    const payload = Buffer.from(JSON.stringify({ dashboard, allowed: ["region", "status"], iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })).toString("base64url");
    const refused = async (token: string) => {
      const answer = await embed(k.kernel, token);
      expect([401, 404]).toContain(answer.status);
      return answer.status === 404 ? "NOT_FOUND" : answer.body.error!.code;
    };
    expect(await refused(`${header}.${payload}.${signature}`)).toBe("EMBED_INVALID");
    expect(await refused(await sign("not the project's key at all, guessed", key.keyId, { dashboard }))).toBe("EMBED_INVALID");
    // No signature at all (alg none) and garbage.
    const none = `${Buffer.from(JSON.stringify({ alg: "none", kid: key.keyId })).toString("base64url")}.${payload}.`;
    expect(await refused(none)).toBe("NOT_FOUND");
    // Garbage, or a key Atrium does not have, names nothing.
    expect(await refused("not-a-token")).toBe("NOT_FOUND");
    expect(await refused(await sign(key.secret, "00000000-0000-4000-8000-000000000000", { dashboard }))).toBe("NOT_FOUND");
    const now = Math.floor(Date.now() / 1000);
    expect(await refused(await sign(key.secret, key.keyId, { dashboard }, { iat: now - 700, exp: now - 100 }))).toBe("EMBED_EXPIRED");
    expect(await refused(await sign(key.secret, key.keyId, { dashboard }, { exp: now + 25 * 3600 }))).toBe("EMBED_OVERSCOPED");
    expect(await refused(await sign(key.secret, key.keyId, { dashboard, allowed: ["price"] }))).toBe("EMBED_OVERSCOPED");
    expect(await refused(await sign(key.secret, key.keyId, { dashboard, params: { region: "south" }, allowed: ["region"] }))).toBe("EMBED_OVERSCOPED");

    // A key signs for its own project only: another org's dashboard id is refused.
    const other = await embeddable();
    expect(await refused(await sign(key.secret, key.keyId, { dashboard: other.dashboard }))).toBe("EMBED_INVALID");
    expect((await embed(k.kernel, good)).status).toBe(200);
  });

  test("revoke all embeds refuses every earlier token, on every instance; later ones open", async () => {
    const { w, dashboard, key } = await embeddable();
    const before = await sign(key.secret, key.keyId, { dashboard });
    expect((await embed(second.kernel, before)).status).toBe(200);
    await w.caller.sharing.embeds.revokeAll({ ...w.at, slug: "sales" });
    expect((await embed(k.kernel, before)).body.error!.code).toBe("EMBED_REVOKED");
    expect((await embed(second.kernel, before)).body.error!.code).toBe("EMBED_REVOKED");
    // Issued after the cutoff (a site's clock a second ahead).
    const after = await sign(key.secret, key.keyId, { dashboard }, { iat: Math.floor(Date.now() / 1000) + 2 });
    expect((await embed(k.kernel, after)).status).toBe(200);
  });

  test("a rotation keeps the old key valid for its overlap; retiring it ends that", async () => {
    const { w, dashboard, key: first } = await embeddable();
    const old = await sign(first.secret, first.keyId, { dashboard });
    const rotated = await w.caller.sharing.embeds.rotate({ ...w.at, overlapHours: 2 });
    expect(rotated.secret).not.toBe(first.secret);
    const fresh = await sign(rotated.secret, rotated.keyId, { dashboard });
    expect((await embed(k.kernel, old)).status).toBe(200);
    expect((await embed(k.kernel, fresh)).status).toBe(200);
    const keys = (await w.caller.sharing.embeds.settings({ ...w.at, slug: "sales" })).keys;
    expect(keys.map((x) => [x.id, x.status])).toEqual([
      [rotated.keyId, "current"],
      [first.keyId, "retiring"],
    ]);

    await w.caller.sharing.embeds.retire({ ...w.at, keyId: first.keyId });
    expect((await embed(second.kernel, old)).body.error!.code).toBe("EMBED_INVALID");
    expect((await embed(k.kernel, fresh)).status).toBe(200);
    expect((await rejectionOf(w.caller.sharing.embeds.retire({ ...w.at, keyId: first.keyId }))).code).toBe("NOT_FOUND");

    // No overlap: the current key retires at once.
    await w.caller.sharing.embeds.rotate({ ...w.at, overlapHours: 0 });
    expect((await embed(k.kernel, fresh)).body.error!.code).toBe("EMBED_INVALID");
  });

  test("the allowed origins are the embed page's frame-ancestors; anything but an origin is refused", async () => {
    const { w, dashboard, key } = await embeddable();
    const token = await sign(key.secret, key.keyId, { dashboard });
    expect(await w.caller.sharing.embeds.status({ token })).toEqual({ frameAncestors: "'none'" });
    await w.caller.sharing.embeds.setOrigins({ ...w.at, origins: ["https://intranet.example.com", "http://127.0.0.1:4100"] });
    expect(await w.caller.sharing.embeds.status({ token })).toEqual({ frameAncestors: "https://intranet.example.com http://127.0.0.1:4100" });
    for (const bad of ["*", "https://a.example/path", "https://a.example; script-src *", "javascript:alert(1)", "https://*.example.com"]) {
      const problem = await rejectionOf(w.caller.sharing.embeds.setOrigins({ ...w.at, origins: [bad] }));
      expect(problem.code).toBe("UNPROCESSABLE_CONTENT");
    }
    const refused = await rejectionOf(w.caller.sharing.embeds.status({ token: `${token}x` }));
    expect(refused.code).toBe("UNAUTHORIZED");
    expect((await rejectionOf(w.caller.sharing.embeds.status({ token: "garbage" }))).code).toBe("NOT_FOUND");
  });

  test("create_embed_token signs with the current key and needs one", async () => {
    const w = await workspace(k.kernel);
    await w.caller.dashboards.create({ ...w.at, yaml: YAML, slug: "sales" });
    expect((await rejectionOf(w.caller.sharing.embeds.createToken({ ...w.at, slug: "sales" }))).code).toBe("PRECONDITION_FAILED");
    await w.caller.sharing.embeds.rotate({ ...w.at });
    const made = await w.caller.sharing.embeds.createToken({ ...w.at, slug: "sales", params: { region: "east" }, expiresInMinutes: 5 });
    expect(made.url).toBe(`${k.kernel.config.publicUrl.replace(/\/$/, "")}/e/${made.token}`);
    expect(new Date(made.expiresAt).getTime() - Date.now()).toBeLessThanOrEqual(5 * 60_000);
    expect((await embed(k.kernel, made.token)).body.results!.picked!.rows).toEqual([{ region: "east", status: "open" }]);
    const unknown = await rejectionOf(w.caller.sharing.embeds.createToken({ ...w.at, slug: "sales", allowed: ["price"] }));
    expect(unknown).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { "allowed.price": [expect.any(String)] } });
    expect((await rejectionOf(w.caller.sharing.embeds.createToken({ ...w.at, slug: "sales", expiresInMinutes: 1441 }))).code).toBe("UNPROCESSABLE_CONTENT");
  });
});
