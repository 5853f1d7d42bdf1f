/**
 * Public links on real PostgreSQL and through the kernel's HTTP dispatcher, as a visitor without
 * an account: the URL is shown once and only its hash is kept; the page's JSON is an allow-list
 * (no SQL, no query names, no source); locked and listed variables are enforced with a 422 before
 * any SQL; revoked, paused, expired and unknown links answer the same 404, also on a second app
 * instance on the same database; passwords (and their proof); views counted with a hashed
 * address; the org's limit on expiry.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import type { Kernel } from "~/kernel/kernel";
import { bootTestKernel } from "../../tests/setup/database";
import { callerFor, testRouter, unique } from "../../tests/setup/fixtures";
import { testPlugins } from "../../tests/setup/plugins";
import { bootDataKernel } from "../data/test-helpers";
import { rejectionOf, workspace } from "../dashboards/test-helpers";
import { hashLinkToken } from "./links";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let second: { kernel: Kernel; close: () => Promise<void> };
beforeAll(async () => {
  k = await bootDataKernel();
  // A second app instance on the same database: a change made through one is seen by the other at once.
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

async function view(kernel: Kernel, token: string, body: unknown = {}, ip = "203.0.113.7") {
  const env: DispatchEnv = { kernel, router: testRouter, requestId: unique("req"), ip };
  const response = await dispatcher.dispatch(
    new Request(`${kernel.config.publicUrl}/api/sharing/public/${token}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    env,
  );
  if (!response) throw new Error("no route");
  return { status: response.status, headers: response.headers, text: await response.text() };
}

async function sharedDashboard() {
  const w = await workspace(k.kernel);
  await w.caller.dashboards.create({ ...w.at, yaml: YAML, slug: "sales" });
  return w;
}

function tokenOf(url: string): string {
  return url.slice(url.lastIndexOf("/s/") + 3);
}

describe("a public link", () => {
  test("is shown once, stored as a hash, and opens an allow-listed view without a session", async () => {
    const w = await sharedDashboard();
    const created = await w.caller.sharing.links.create({ ...w.at, slug: "sales", variables: { region: { mode: "allowed", values: ["north", "south"] } } });
    expect(created.url).toMatch(/\/s\/[A-Za-z0-9_-]{22}$/);
    const token = tokenOf(created.url);
    const stored = await k.kernel.ownerDb.withTables<{ sharing_links: { id: string; token_hash: string; expires_at: Date } }>().selectFrom("sharing_links").selectAll().where("id", "=", created.linkId).executeTakeFirstOrThrow();
    expect(stored.token_hash).toBe(hashLinkToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    // Default expiry: 30 days.
    expect(Math.round((stored.expires_at.getTime() - Date.now()) / 86_400_000)).toBe(30);
    const listed = await w.caller.sharing.links.list({ ...w.at, slug: "sales" });
    expect(JSON.stringify(listed)).not.toContain(token);
    expect(listed.links[0]).toMatchObject({ status: "active", viewCount: 0, hasPassword: false });

    const answer = await view(k.kernel, token);
    expect(answer.status).toBe(200);
    expect(answer.headers.get("x-robots-tag")).toContain("noindex");
    expect(answer.headers.get("referrer-policy")).toBe("no-referrer");
    expect(answer.headers.get("cache-control")).toBe("no-store");
    const body = JSON.parse(answer.text);
    expect(Object.keys(body).sort()).toEqual(["dashboard", "expiresAt", "exports", "ranAt", "results"]);
    expect(Object.keys(body.dashboard).sort()).toEqual(["charts", "description", "layout", "title", "variables"]);
    expect(body.dashboard.charts).toEqual([{ id: "picked", title: "Picked", type: "table" }]);
    expect(body.results.picked).toMatchObject({ ok: true, rows: [{ region: "north", status: "open" }] });
    expect(body.dashboard.variables).toEqual([
      { name: "region", label: "Region", type: "select", editable: true, value: "north", options: [{ value: "north", label: "north" }, { value: "south", label: "south" }] },
      // Fixed: only its own value, not the choices the viewer does not have.
      { name: "status", label: "status", type: "select", editable: false, value: "open", options: [{ value: "open", label: "open" }] },
    ]);
    // Nothing of the document beyond what the page shows: no SQL, no query name, no source.
    for (const secret of ["select cast", "cast(", "{{", "picked:", '"query"', "warehouse", '"sql"']) expect(answer.text.toLowerCase()).not.toContain(secret);
  });

  test("an allowed variable changes; a locked one or a value off the list is 422 and runs nothing", async () => {
    const w = await sharedDashboard();
    const { url, linkId } = await w.caller.sharing.links.create({ ...w.at, slug: "sales", variables: { region: { mode: "allowed", values: ["north", "south"] } } });
    const token = tokenOf(url);
    const south = await view(k.kernel, token, { variables: { region: "south" } });
    expect(JSON.parse(south.text).results.picked.rows).toEqual([{ region: "south", status: "open" }]);

    const locked = await view(k.kernel, token, { variables: { status: "closed" } });
    expect(locked.status).toBe(422);
    expect(JSON.parse(locked.text).error.fieldErrors).toEqual({ "variables.status": ["This value is fixed for this link"] });
    const offList = await view(k.kernel, token, { variables: { region: "east" } });
    expect(offList.status).toBe(422);
    expect(JSON.parse(offList.text).error.fieldErrors).toEqual({ "variables.region": ["This value is not one this link allows"] });
    const injected = await view(k.kernel, token, { variables: { region: "north' or 1=1 --" } });
    expect(injected.status).toBe(422);
    const unknown = await view(k.kernel, token, { variables: { nope: 1 } });
    expect(unknown.status).toBe(422);

    // Only the two good requests were views.
    const links = await w.caller.sharing.links.list({ ...w.at, slug: "sales" });
    expect(links.links.find((l) => l.id === linkId)).toMatchObject({ viewCount: 1 });
    const views = await k.kernel.ownerDb
      .withTables<{ sharing_link_views: { link_id: string; ip_hash: string | null; variables: unknown } }>()
      .selectFrom("sharing_link_views")
      .selectAll()
      .where("link_id", "=", linkId)
      .execute();
    expect(views).toHaveLength(1);
    expect(views[0]!.variables).toEqual({ region: "south", status: "open" });
    expect(views[0]!.ip_hash).toMatch(/^[0-9a-f]{32}$/);
    expect(views[0]!.ip_hash).not.toContain("203.0.113.7");
  });

  test("revoked, paused, expired and unknown links answer the same 404, on the other instance too", async () => {
    const w = await sharedDashboard();
    const a = await w.caller.sharing.links.create({ ...w.at, slug: "sales" });
    const b = await w.caller.sharing.links.create({ ...w.at, slug: "sales" });
    const c = await w.caller.sharing.links.create({ ...w.at, slug: "sales" });
    expect((await view(second.kernel, tokenOf(a.url))).status).toBe(200);

    await w.caller.sharing.links.revoke({ ...w.at, linkId: a.linkId });
    await w.caller.sharing.links.setPaused({ ...w.at, linkId: b.linkId, paused: true });
    await k.kernel.ownerDb.withTables<{ sharing_links: { id: string; expires_at: Date } }>().updateTable("sharing_links").set({ expires_at: new Date(Date.now() - 1000) }).where("id", "=", c.linkId).execute();
    const strip = (text: string) => JSON.parse(text, (key, value) => (key === "requestId" ? undefined : value));
    const answers = [await view(second.kernel, tokenOf(a.url)), await view(second.kernel, tokenOf(b.url)), await view(k.kernel, tokenOf(c.url)), await view(second.kernel, "A".repeat(22)), await view(k.kernel, "short")];
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(strip(answer.text)).toEqual(strip(answers[0]!.text));
    }
    await w.caller.sharing.links.setPaused({ ...w.at, linkId: b.linkId, paused: false });
    expect((await view(second.kernel, tokenOf(b.url))).status).toBe(200);
    // A revoked link stays revoked.
    expect(await rejectionOf(w.caller.sharing.links.setPaused({ ...w.at, linkId: a.linkId, paused: false }))).toMatchObject({ code: "NOT_FOUND" });
    expect((await w.caller.sharing.links.list({ ...w.at, slug: "sales" })).links.map((l) => l.status).sort()).toEqual(["active", "expired", "revoked"]);
    // The public page's lookup (its server render's 404) agrees, for anyone asking.
    const anonymous = callerFor(second.kernel);
    expect(await anonymous.sharing.links.status({ token: tokenOf(b.url) })).toEqual({ password: false });
    for (const token of [tokenOf(a.url), tokenOf(c.url), "A".repeat(22)]) expect(await rejectionOf(anonymous.sharing.links.status({ token }))).toMatchObject({ code: "NOT_FOUND" });
  });

  test("a password is asked for, checked (argon2id), and proven once for later refreshes", async () => {
    const w = await sharedDashboard();
    const { url, linkId } = await w.caller.sharing.links.create({ ...w.at, slug: "sales", password: "open sesame please" });
    const token = tokenOf(url);
    const stored = await k.kernel.ownerDb.withTables<{ sharing_links: { id: string; password_hash: string } }>().selectFrom("sharing_links").select("password_hash").where("id", "=", linkId).executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.parse((await view(k.kernel, token)).text).error.code).toBe("PASSWORD_REQUIRED");
    const wrong = await view(k.kernel, token, { password: "guess" });
    expect([wrong.status, JSON.parse(wrong.text).error.code]).toEqual([401, "PASSWORD_INCORRECT"]);
    const right = await view(k.kernel, token, { password: "open sesame please" });
    expect(right.status).toBe(200);
    const { unlock } = JSON.parse(right.text);
    expect(unlock).toMatch(/^\d+\.[A-Za-z0-9_-]+$/);
    expect((await view(second.kernel, token, { unlock })).status).toBe(200);
    expect((await view(k.kernel, token, { unlock: unlock.replace(/.$/, unlock.endsWith("A") ? "B" : "A") })).status).toBe(401);
    // The audit says a password was set, never which.
    const audit = await k.kernel.ownerDb.selectFrom("audit_events").select("data").where("action", "=", "sharing.link.create").where("org_id", "=", w.org.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(audit.data)).not.toContain("sesame");
  });

  test("password guesses are limited per link and address", async () => {
    const w = await sharedDashboard();
    const { url } = await w.caller.sharing.links.create({ ...w.at, slug: "sales", password: "open sesame please" });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await view(k.kernel, tokenOf(url), { password: `guess ${i}` }, "198.51.100.9")).status);
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    // Another address still gets its own tries.
    expect((await view(k.kernel, tokenOf(url), { password: "open sesame please" }, "198.51.100.10")).status).toBe(200);
  });

  test("expiry within the organization's limit; a policy naming no variable of the dashboard is refused", async () => {
    const w = await sharedDashboard();
    expect(await rejectionOf(w.caller.sharing.links.create({ ...w.at, slug: "sales", expiresInDays: 120 }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT", fields: { expiresInDays: [expect.stringContaining("at most 90 days")] } });
    await w.caller.sharing.links.setMaxDays({ orgId: w.org.id, maxLinkDays: 7 });
    expect(await rejectionOf(w.caller.sharing.links.create({ ...w.at, slug: "sales", expiresInDays: 8 }))).toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
    expect(await w.caller.sharing.links.create({ ...w.at, slug: "sales", expiresInDays: 7 })).toMatchObject({ linkId: expect.any(String) });
    // Without a number of days: the default 30 would break the limit, so the limit it is.
    const short = await w.caller.sharing.links.create({ ...w.at, slug: "sales" });
    expect(Math.round((new Date(short.expiresAt).getTime() - Date.now()) / 86_400_000)).toBe(7);
    expect(await rejectionOf(w.caller.sharing.links.create({ ...w.at, slug: "sales", variables: { nope: { mode: "free" } } }))).toMatchObject({
      code: "UNPROCESSABLE_CONTENT",
      fields: { "variables.nope": [expect.stringContaining("no variable")] },
    });
    const org = await w.caller.sharing.links.org({ orgId: w.org.id });
    expect(org).toMatchObject({ maxLinkDays: 7, links: [expect.objectContaining({ dashboardSlug: "sales", status: "active" }), expect.anything()] });
    expect((await w.caller.sharing.links.mine()).links.map((l) => l.id)).toContain(org.links[0]!.id);
  });

  test("free values stay within the variable's own options; a fixed variable's other options are not sent", async () => {
    const w = await sharedDashboard();
    const yaml = `title: Customers
variables:
  - name: customer
    type: select
    options: { query: customers }
  - name: region
    type: select
    default: north
    options: [north, south]
queries:
  customers:
    sql: select * from (values ('acme'), ('globex'), ('initech')) as c(name)
  picked:
    sql: select cast({{customer}} as text) as customer, cast({{region}} as text) as region
charts:
  - id: picked
    type: table
    query: picked
`;
    await w.caller.dashboards.create({ ...w.at, yaml, slug: "customers" });
    const fixed = await w.caller.sharing.links.create({ ...w.at, slug: "customers", variables: { customer: { mode: "locked", value: "globex" } } });
    const body = JSON.parse((await view(k.kernel, tokenOf(fixed.url))).text);
    expect(body.results.picked.rows).toEqual([{ customer: "globex", region: "north" }]);
    expect(body.dashboard.variables[0]).toMatchObject({ name: "customer", editable: false, value: "globex", options: [{ value: "globex", label: "globex" }] });
    for (const other of ["acme", "initech", "south"]) expect(JSON.stringify(body)).not.toContain(other);

    const free = await w.caller.sharing.links.create({ ...w.at, slug: "customers", variables: { customer: { mode: "free" }, region: { mode: "free" } } });
    const token = tokenOf(free.url);
    expect(JSON.parse((await view(k.kernel, token, { variables: { customer: "initech", region: "south" } })).text).results.picked.rows).toEqual([{ customer: "initech", region: "south" }]);
    const offQuery = await view(k.kernel, token, { variables: { customer: "umbrella" } });
    expect(offQuery.status).toBe(422);
    expect(JSON.parse(offQuery.text).error.fieldErrors).toEqual({ "variables.customer": ["This value is not one of this variable's options"] });
    const offList = await view(k.kernel, token, { variables: { region: "west" } });
    expect(JSON.parse(offList.text).error.fieldErrors).toEqual({ "variables.region": ["This value is not one of this variable's options"] });
  });

  test("a deleted dashboard's links answer 404", async () => {
    const w = await sharedDashboard();
    const { url } = await w.caller.sharing.links.create({ ...w.at, slug: "sales" });
    await w.caller.dashboards.delete({ ...w.at, slug: "sales" });
    expect((await view(k.kernel, tokenOf(url))).status).toBe(404);
  });
});
