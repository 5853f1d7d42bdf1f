/**
 * Grants on real PostgreSQL: a dashboard shared with someone outside the org opens for them and
 * nothing else does (404 as for strangers); an edit share lets them save that dashboard only;
 * a member's share raises their role on one dashboard; an address counts once verified; revoking
 * takes access away at once; who-has-access lists members and shares with the reason; sharing
 * and revoking are audited; the grantee's "Shared with me" list; 403 for members without the
 * capability.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asUser, createUser } from "../../tests/setup/fixtures";
import { bootDataKernel } from "../data/test-helpers";
import { colleague, createProject, rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

async function verified(email?: string) {
  const user = await createUser(k.kernel, "Guest");
  const address = email ?? user.email;
  await k.kernel.ownerDb.updateTable("users").set({ email: address, email_verified_at: new Date() }).where("id", "=", user.id).execute();
  return { ...user, email: address, caller: asUser(k.kernel, user.id) };
}

/** An owner's workspace with two dashboards, "shared" and "private". */
async function twoDashboards() {
  const w = await workspace(k.kernel);
  await w.caller.dashboards.create({ ...w.at, yaml: simpleYaml("Shared"), slug: "shared" });
  await w.caller.dashboards.create({ ...w.at, yaml: simpleYaml("Private"), slug: "private" });
  return w;
}

async function auditActions(orgId: string) {
  const rows = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", orgId).where("action", "like", "sharing.%").orderBy("created_at").execute();
  return rows;
}

describe("a dashboard shared with someone outside the organization", () => {
  test("opens for them and runs; the project's other dashboards, its list and other projects stay 404 (search finds it alone: reach.test.ts)", async () => {
    const w = await twoDashboards();
    const other = await createProject(k.kernel, w.org.id);
    const guest = await verified();
    const at = w.at;
    expect(await rejectionOf(guest.caller.dashboards.get({ ...at, slug: "shared" }))).toMatchObject({ code: "NOT_FOUND" });

    const shared = await w.caller.sharing.share({ ...at, slug: "shared", email: guest.email.toUpperCase(), role: "view" });
    expect(shared).toMatchObject({ created: true, hasAccount: true });

    expect(await guest.caller.dashboards.get({ ...at, slug: "shared" })).toMatchObject({ slug: "shared", title: "Shared" });
    expect((await guest.caller.dashboards.history({ ...at, slug: "shared" })).versions).toHaveLength(1);
    const run = await guest.caller.dashboards.run({ ...at, slug: "shared" });
    expect(run.results.one).toMatchObject({ ok: true, rows: [{ n: 1 }] });
    for (const call of [
      () => guest.caller.dashboards.get({ ...at, slug: "private" }),
      () => guest.caller.dashboards.list(at),
      () => guest.caller.dashboards.tags(at),
      () => guest.caller.dashboards.get({ orgId: w.org.id, projectId: other.id, slug: "shared" }),
      () => guest.caller.sharing.access({ ...at, slug: "shared" }),
      () => guest.caller.dashboards.delete({ ...at, slug: "shared" }),
      () => guest.caller.dashboards.create({ ...at, yaml: simpleYaml("Mine") }),
    ]) {
      expect(await rejectionOf(call())).toMatchObject({ code: "NOT_FOUND" });
    }
    // A view share does not let them save.
    const current = await guest.caller.dashboards.get({ ...at, slug: "shared" });
    expect(await rejectionOf(guest.caller.dashboards.update({ ...at, slug: "shared", yaml: simpleYaml("Changed"), version: current.version }))).toMatchObject({
      code: "FORBIDDEN",
    });
  });

  test("an edit share lets them save that dashboard, and only that one", async () => {
    const w = await twoDashboards();
    const guest = await verified();
    await w.caller.sharing.share({ ...w.at, slug: "shared", email: guest.email, role: "edit" });
    const saved = await guest.caller.dashboards.update({ ...w.at, slug: "shared", yaml: simpleYaml("Shared, edited"), version: 1 });
    expect(saved).toEqual({ slug: "shared", version: 2 });
    expect(await rejectionOf(guest.caller.dashboards.update({ ...w.at, slug: "private", yaml: simpleYaml("Hijacked"), version: 1 }))).toMatchObject({ code: "NOT_FOUND" });
  });

  test("a whole-project share lists the project's dashboards", async () => {
    const w = await twoDashboards();
    const guest = await verified();
    await w.caller.sharing.share({ ...w.at, email: guest.email, role: "view" });
    const list = await guest.caller.dashboards.list(w.at);
    expect(list.items.map((d) => d.slug).sort()).toEqual(["private", "shared"]);
    // Search reaches the shared project too (reach.test.ts); the org's project list does not.
    expect((await guest.caller.dashboards.search({ orgId: w.org.id, query: "shared" })).items.map((d) => d.slug)).toEqual(["shared"]);
    expect(await rejectionOf(guest.caller.projects.list({ orgId: w.org.id }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

test("a member's edit share raises their role on that dashboard only", async () => {
  const w = await twoDashboards();
  const viewer = await colleague(k.kernel, w.org.id, "viewer");
  const viewerEmail = (await k.kernel.ownerDb.selectFrom("users").select("email").where("id", "=", viewer.user.id).executeTakeFirstOrThrow()).email;
  await k.kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", viewer.user.id).execute();
  expect(await rejectionOf(viewer.caller.dashboards.update({ ...w.at, slug: "shared", yaml: simpleYaml("V"), version: 1 }))).toMatchObject({ code: "FORBIDDEN" });
  await w.caller.sharing.share({ ...w.at, slug: "shared", email: viewerEmail, role: "edit" });
  expect(await viewer.caller.dashboards.update({ ...w.at, slug: "shared", yaml: simpleYaml("V"), version: 1 })).toEqual({ slug: "shared", version: 2 });
  const refused = await rejectionOf(viewer.caller.dashboards.update({ ...w.at, slug: "private", yaml: simpleYaml("V"), version: 1 }));
  expect(refused).toMatchObject({ code: "FORBIDDEN" });
  expect(refused.message).toContain("Your role in this project (viewer)");
});

test("a share by address counts once an account verifies that address, not before", async () => {
  const w = await twoDashboards();
  const address = `later-${Date.now()}@example.test`;
  const share = await w.caller.sharing.share({ ...w.at, slug: "shared", email: address, role: "view" });
  expect(share).toMatchObject({ created: true, hasAccount: false });
  const squatter = await createUser(k.kernel, "Squatter");
  await k.kernel.ownerDb.updateTable("users").set({ email: address }).where("id", "=", squatter.id).execute();
  expect(await rejectionOf(asUser(k.kernel, squatter.id).dashboards.get({ ...w.at, slug: "shared" }))).toMatchObject({ code: "NOT_FOUND" });
  expect((await asUser(k.kernel, squatter.id).sharing.sharedWithMe()).items).toEqual([]);
  await k.kernel.ownerDb.updateTable("users").set({ email_verified_at: new Date() }).where("id", "=", squatter.id).execute();
  expect(await asUser(k.kernel, squatter.id).dashboards.get({ ...w.at, slug: "shared" })).toMatchObject({ slug: "shared" });
  const access = await w.caller.sharing.access({ ...w.at, slug: "shared" });
  expect(access.entries.find((e) => e.kind === "grant")).toMatchObject({ email: address, pending: true, why: "Shared: this dashboard, can view" });
});

test("revoking takes access away at once; sharing and revoking are audited without the address of a member", async () => {
  const w = await twoDashboards();
  const guest = await verified();
  const { grantId } = await w.caller.sharing.share({ ...w.at, slug: "shared", email: guest.email, role: "view" });
  expect(await guest.caller.dashboards.get({ ...w.at, slug: "shared" })).toBeTruthy();
  // Sharing again changes the role rather than adding a second share.
  expect(await w.caller.sharing.share({ ...w.at, slug: "shared", email: guest.email, role: "edit" })).toMatchObject({ grantId, created: false });
  await w.caller.sharing.revoke({ ...w.at, grantId });
  expect(await rejectionOf(guest.caller.dashboards.get({ ...w.at, slug: "shared" }))).toMatchObject({ code: "NOT_FOUND" });
  expect(await rejectionOf(w.caller.sharing.revoke({ ...w.at, grantId }))).toMatchObject({ code: "NOT_FOUND" });
  const audit = await auditActions(w.org.id);
  expect(audit.map((a) => a.action)).toEqual(["sharing.grant", "sharing.grant", "sharing.revoke"]);
  expect(audit[0]!.data).toMatchObject({ grantId, role: "view", grantee: { userId: guest.id } });
});

test("sharing with one address many times at once makes one grant, each call answered", async () => {
  const w = await twoDashboards();
  const guest = await verified();
  // A project share (no dashboard) and a dashboard share, by address with an account and without.
  for (const [slug, email] of [[undefined, guest.email], ["shared", guest.email], [undefined, "nobody-yet@example.test"], ["shared", "nobody-yet@example.test"]] as const) {
    const answers = await Promise.all(Array.from({ length: 8 }, (_, i) => w.caller.sharing.share({ ...w.at, ...(slug ? { slug } : {}), email, role: i % 2 ? "edit" : "view" })));
    expect(new Set(answers.map((a) => a.grantId)).size, `${slug ?? "project"} / ${email}`).toBe(1);
    expect(answers.filter((a) => a.created)).toHaveLength(1);
  }
  const rows = await k.kernel.ownerDb.withTables<{ sharing_grants: { id: string; org_id: string } }>().selectFrom("sharing_grants").select("id").where("org_id", "=", w.org.id).execute();
  expect(rows).toHaveLength(4);
});

test("who has access lists members with their role and shares with their reason", async () => {
  const w = await twoDashboards();
  await colleague(k.kernel, w.org.id, "viewer", [{ projectId: w.project.id, role: "editor" }]);
  const guest = await verified();
  await w.caller.sharing.share({ ...w.at, email: guest.email, role: "view" });
  const { entries } = await w.caller.sharing.access({ ...w.at, slug: "shared" });
  expect(entries.map((e) => e.why).sort()).toEqual(["Organization owner", "Project role: editor", "Shared: the whole project, can view"]);
  expect(entries.find((e) => e.kind === "grant")).toMatchObject({ email: guest.email, role: "viewer", pending: false });
});

test("who has access is paged: shares first, then members in the order they joined, each once; search narrows both; a cursor it did not give is a 422 on cursor", async () => {
  const w = await twoDashboards();
  const people = [];
  for (let i = 0; i < 3; i++) people.push((await colleague(k.kernel, w.org.id, "viewer")).user);
  const shares = [await verified(), await verified()];
  for (const guest of shares) await w.caller.sharing.share({ ...w.at, slug: "shared", email: guest.email, role: "view" });
  await w.caller.sharing.share({ ...w.at, email: `waiting-${Date.now()}@example.test`, role: "edit" });
  // Not this dashboard's: a share of the other one.
  await w.caller.sharing.share({ ...w.at, slug: "private", email: shares[0]!.email, role: "edit" });
  const all = (await w.caller.sharing.access({ ...w.at, slug: "shared" })).entries;
  expect(all.map((e) => e.kind)).toEqual(["grant", "grant", "grant", "member", "member", "member", "member"]);
  expect(all.slice(3).map((e) => e.email)).toEqual([w.user.email, ...people.map((p) => p.email)]);
  for (const limit of [1, 2, 3, 4, 6, 7]) {
    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await w.caller.sharing.access({ ...w.at, slug: "shared", limit, cursor });
      seen.push(...page.entries.map((e) => `${e.kind}:${e.email}`));
      sizes.push(page.entries.length);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined && sizes.length < 20);
    expect(seen, `limit ${limit}`).toEqual(all.map((e) => `${e.kind}:${e.email}`));
    expect(sizes.slice(0, -1).every((n) => n === limit) && sizes.at(-1)! >= 1, `limit ${limit}: ${sizes.join(",")}`).toBe(true);
  }
  const found = await w.caller.sharing.access({ ...w.at, slug: "shared", search: people[1]!.email.toUpperCase() });
  expect(found.entries.map((e) => e.email)).toEqual([people[1]!.email]);
  const shared = await w.caller.sharing.access({ ...w.at, slug: "shared", search: shares[1]!.email });
  expect(shared.entries.map((e) => [e.kind, e.email])).toEqual([["grant", shares[1]!.email]]);
  for (const bad of ["x", "g", "gnot-base64", "m" + Buffer.from('["yesterday","1"]').toString("base64url"), "m\u0000"]) {
    const refusal = await rejectionOf(w.caller.sharing.access({ ...w.at, slug: "shared", cursor: bad }));
    expect([bad, refusal.code, Object.keys(refusal.fields)]).toEqual([bad, "UNPROCESSABLE_CONTENT", ["cursor"]]);
  }
});

test("Shared with me lists what others shared, with where it is; a deleted dashboard drops out", async () => {
  const w = await twoDashboards();
  const guest = await verified();
  await w.caller.sharing.share({ ...w.at, slug: "shared", email: guest.email, role: "view" });
  await w.caller.sharing.share({ ...w.at, slug: "private", email: guest.email, role: "edit" });
  const items = (await guest.caller.sharing.sharedWithMe()).items;
  expect(items.map((i) => [i.dashboard?.slug, i.role, i.orgId, i.projectName]).sort()).toEqual([
    ["private", "edit", w.org.id, w.project.name],
    ["shared", "view", w.org.id, w.project.name],
  ]);
  await w.caller.dashboards.delete({ ...w.at, slug: "private" });
  expect((await guest.caller.sharing.sharedWithMe()).items.map((i) => i.dashboard?.slug)).toEqual(["shared"]);
});

test("members without the capability get 403; strangers 404; a slug that is not a live dashboard 404", async () => {
  const w = await twoDashboards();
  const viewer = await colleague(k.kernel, w.org.id, "viewer");
  const stranger = await verified();
  expect(await rejectionOf(viewer.caller.sharing.share({ ...w.at, slug: "shared", email: "x@example.test", role: "view" }))).toMatchObject({ code: "FORBIDDEN" });
  expect(await rejectionOf(stranger.caller.sharing.access({ ...w.at }))).toMatchObject({ code: "NOT_FOUND" });
  expect(await rejectionOf(w.caller.sharing.share({ ...w.at, slug: "nope", email: "x@example.test", role: "view" }))).toMatchObject({ code: "NOT_FOUND" });
  expect(await rejectionOf(w.caller.sharing.share({ ...w.at, slug: "shared", email: "not an address", role: "view" }))).toMatchObject({
    code: "UNPROCESSABLE_CONTENT",
    fields: { email: [expect.stringContaining("email address")] },
  });
});
