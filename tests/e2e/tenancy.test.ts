/**
 * Tenancy in a real browser, clicked through like a person: sign up and confirm the address
 * from the mail, create an organization and a project, invite a second person as a viewer,
 * who signs up in another browser, accepts and sees the work — but is offered nothing a
 * viewer may not do, and the server refuses it too. Then signing out.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { heading, mailTo } from "./flows";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let base: string;
let db: pg.Client;
let owner: RecordedPage;
let viewer: RecordedPage;
let invitationLink: string;

const OWNER = { name: "Olivia Owner", email: "olivia@acme.test", password: "correct horse battery staple" };
const VIEWER = { name: "Victor Viewer", email: "victor@acme.test", password: "a quiet lake at dawn" };
const ORG = { name: "Acme Analytics", slug: "acme-analytics" };
const PROJECT = { name: "Revenue reporting", slug: "revenue-reporting" };

beforeAll(async () => {
  harness = await startHarness();
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});

// A failed step says what the pages saw: their problems, their text, the server's log.
afterEach(async (context) => {
  if (context.task.result?.state !== "fail") return;
  for (const [who, recorded] of [["owner", owner], ["viewer", viewer]] as const) {
    if (!recorded) continue;
    console.log(`--- ${who} at ${recorded.page.url()}\n${recorded.unexpectedProblems().join("\n")}`);
    console.log((await recorded.page.locator("main").innerText().catch(() => "")).slice(0, 1500));
    await screenshot(recorded.page, `failed-${who}`);
  }
  console.log(`--- server log\n${harness.server.logs().slice(-4000)}`);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
});

/** Set E2E_SCREENSHOTS=<dir> to keep screenshots of the pages the tests visit. */
async function screenshot(page: Page, name: string) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  // From the top, so the sticky top bar sits where it belongs in a full-page capture.
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

/** Screenshots in the light and the dark theme (the theme follows the system until chosen). */
async function screenshots(page: Page, name: string) {
  if (!process.env.E2E_SCREENSHOTS) return;
  for (const scheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.waitForFunction((s) => document.documentElement.getAttribute("data-theme") === s, scheme);
    await screenshot(page, `${name}-${scheme}`);
  }
  await page.emulateMedia({ colorScheme: null });
}

function linkIn(text: string, pathname: string): string {
  const match = new RegExp(`https?://\\S+${pathname.replace(/[/]/g, "\\/")}\\S*`).exec(text);
  if (!match) throw new Error(`No ${pathname} link in:\n${text}`);
  return match[0];
}

describe("tenancy, end to end", () => {
  it("signs a person up, confirms their address from the mail, and welcomes them", async () => {
    owner = await harness.open();
    const { page } = owner;
    await page.goto("/sign-up");
    await waitForHydration(page);
    await page.getByLabel("Your name").fill(OWNER.name);
    await page.getByLabel("Work email").fill(OWNER.email);
    await page.getByLabel("Password").fill(OWNER.password);
    await page.getByRole("button", { name: "Create account" }).click();

    await page.waitForURL(`${base}/`);
    await heading(page, "Welcome, Olivia");
    const banner = page.getByRole("region", { name: "Email confirmation" });
    await banner.getByText(OWNER.email).waitFor();

    const link = linkIn(await mailTo(db, OWNER.email, /confirm your email/i), "/verify-email");
    expect(new URL(link).origin).toBe(base);
    await page.goto(link);
    await page.getByText("Your email address is confirmed.").waitFor();
    await page.getByRole("link", { name: "Continue to Atrium" }).click();
    await heading(page, "Welcome, Olivia");
    await expect(banner.count()).resolves.toBe(0);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("creates an organization with a suggested address, then a project in it", async () => {
    const { page } = owner;
    await page.getByRole("link", { name: "New organization" }).click();
    await heading(page, "Create an organization");
    await page.getByLabel("Organization name").fill(ORG.name);
    await expect(page.getByLabel("Address").inputValue()).resolves.toBe(ORG.slug);
    await page.getByRole("button", { name: "Create organization" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}`);
    await heading(page, ORG.name);
    // Focus moved to the new page's heading.
    await expect(page.evaluate(() => document.activeElement?.tagName)).resolves.toBe("H1");
    await expect(page.getByRole("button", { name: /^Organization: / }).textContent()).resolves.toContain(ORG.name);

    // The dialog takes focus, Escape closes it, and focus returns to the button that opened it.
    const newProject = page.getByRole("button", { name: "New project" });
    await newProject.click();
    const dialog = page.getByRole("dialog", { name: "New project" });
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute("name"))).toBe("name");
    await page.keyboard.press("Escape");
    await expect(dialog.count()).resolves.toBe(0);
    await expect(newProject.evaluate((button) => button === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press("Enter");
    await dialog.getByLabel("Project name").fill(PROJECT.name);
    await expect(dialog.getByLabel("Address").inputValue()).resolves.toBe(PROJECT.slug);
    await dialog.getByLabel("Description (optional)").fill("Monthly revenue by region and plan.");
    await screenshot(page, "new-project-dialog");
    await dialog.getByRole("button", { name: "Create project" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}`);
    await heading(page, PROJECT.name);

    const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
    await expect(crumbs.getByRole("listitem").allTextContents()).resolves.toEqual(["Home", ORG.name, PROJECT.name]);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Overview" }).waitFor();
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("invites a second person as a viewer and shows the link once", async () => {
    const { page } = owner;
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
    await heading(page, "Organization settings");
    const invitations = page.getByRole("region", { name: "Invitations" });
    await invitations.getByLabel("Email address").fill(VIEWER.email);
    await invitations.getByLabel("Role").selectOption("viewer");
    await invitations.getByRole("button", { name: "Send invitation" }).click();
    await invitations.getByText(`Invitation sent to ${VIEWER.email}`).waitFor();
    invitationLink = await invitations.getByLabel("Invitation link").inputValue();
    expect(invitationLink).toMatch(new RegExp(`^${base}/invite/inv_[a-z2-7]{32}$`));
    await invitations.getByRole("row", { name: new RegExp(VIEWER.email) }).waitFor();
    // The same link went out by mail.
    expect(linkIn(await mailTo(db, VIEWER.email, /invited/i), "/invite/")).toBe(invitationLink);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("lets the invitee sign up from the link, accept, and see the organization and its project", async () => {
    viewer = await harness.open();
    const { page } = viewer;
    await page.goto(invitationLink);
    await waitForHydration(page);
    await heading(page, "You’re invited");
    await page.getByText(`You’ve been invited to join ${ORG.name} as Viewer.`).waitFor();
    await screenshot(page, "invitation");
    await page.getByRole("link", { name: "Create an account" }).click();
    await heading(page, "Create your Atrium account");
    await expect(page.getByLabel("Work email").inputValue()).resolves.toBe(VIEWER.email);
    await page.getByLabel("Your name").fill(VIEWER.name);
    await page.getByLabel("Password").fill(VIEWER.password);
    await page.getByRole("button", { name: "Create account" }).click();

    // Back at the invitation, signed in as the invited address.
    await page.waitForURL(invitationLink);
    await page.getByRole("button", { name: `Accept and join ${ORG.name}` }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}`);
    await heading(page, ORG.name);
    await page.getByRole("list", { name: "Projects" }).getByRole("link", { name: PROJECT.name }).waitFor();
    // The switcher works from the keyboard: ↓ opens it on the first org, Escape gives focus back.
    const switcher = page.getByRole("button", { name: /^Organization: / });
    await expect(switcher.textContent()).resolves.toContain(ORG.name);
    await switcher.focus();
    await page.keyboard.press("ArrowDown");
    const focusedItem = () => page.evaluate(() => document.activeElement?.getAttribute("role") + ":" + document.activeElement?.textContent?.trim());
    await expect(focusedItem()).resolves.toMatch(new RegExp(`^menuitem:${ORG.name}`));
    await page.keyboard.press("Escape");
    await expect(switcher.evaluate((button) => button === document.activeElement)).resolves.toBe(true);
    await expect(page.getByRole("menu").count()).resolves.toBe(0);
    expect(viewer.unexpectedProblems()).toEqual([]);
  });

  it("offers a viewer no way to create, invite or delete — and the server refuses too", async () => {
    const { page } = viewer;
    await page.getByText("You’re a viewer here.").waitFor();
    await expect(page.getByRole("button", { name: /new project|create a project/i }).count()).resolves.toBe(0);

    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings", exact: true }).click();
    await heading(page, "Organization settings");
    const members = page.getByRole("region", { name: "Members" });
    await members.getByRole("row", { name: new RegExp(OWNER.email) }).waitFor();
    // Find a member narrows the list on the server (members come a page at a time).
    await members.getByLabel("Find a member").fill(VIEWER.email);
    await members.getByRole("row", { name: new RegExp(OWNER.email) }).waitFor({ state: "detached" });
    await members.getByRole("row", { name: new RegExp(VIEWER.email) }).waitFor();
    await members.getByLabel("Find a member").fill("");
    await members.getByRole("row", { name: new RegExp(OWNER.email) }).waitFor();
    await expect(page.getByRole("region", { name: "Invitations" }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: "Send invitation" }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /delete/i }).count()).resolves.toBe(0);
    await expect(page.getByRole("button", { name: /remove|make owner/i }).count()).resolves.toBe(0);
    await expect(page.getByRole("combobox", { name: /^Role of / }).count()).resolves.toBe(0);
    await expect(page.getByRole("region", { name: "Audit log" }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Leave organization…" }).waitFor();

    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/settings`);
    await heading(page, PROJECT.name);
    await page.getByText("Only editors, admins and owners can change this project.").waitFor();
    await screenshot(page, "project-settings-viewer");
    await expect(page.getByRole("button", { name: /delete|archive/i }).count()).resolves.toBe(0);
    await expect(page.getByRole("textbox").count()).resolves.toBe(0);

    // The server decides, not the UI: the same call a "New project" button would make.
    const { rows } = await db.query<{ id: string }>("select id from orgs where slug = $1", [ORG.slug]);
    const answer = await page.evaluate(async (orgId) => {
      const response = await fetch("/api/trpc/projects.create", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ orgId, slug: "sneaky", name: "Sneaky" }),
      });
      return { status: response.status, body: (await response.json()) as { error?: { data?: { code?: string } } } };
    }, rows[0]!.id);
    expect(answer.status).toBe(403);
    expect(answer.body.error?.data?.code).toBe("FORBIDDEN");
    const { rows: sneaky } = await db.query("select 1 from projects where slug = 'sneaky'");
    expect(sneaky).toHaveLength(0);
    expect(viewer.unexpectedProblems([{ path: "/api/trpc/projects.create", status: 403 }])).toEqual([]);
  });

  it("shows the owner the audit log, with agent activity marked, filtered and paged", async () => {
    const { page } = owner;
    // What an AI agent's MCP calls leave behind (the agent plugin writes these through the kernel).
    const { rows } = await db.query<{ id: string; owner: string }>(
      "select o.id, m.user_id as owner from orgs o join memberships m on m.org_id = o.id and m.role = 'owner' where o.slug = $1",
      [ORG.slug],
    );
    await db.query(
      `insert into audit_events (org_id, actor_kind, actor_user_id, actor_label, action, target_type, data)
       select $1, 'agent', $2, 'Desktop assistant', 'dashboard.update', 'dashboard', jsonb_build_object('step', n)
       from generate_series(1, 30) n`,
      [rows[0]!.id, rows[0]!.owner],
    );
    await page.reload();
    await heading(page, "Organization settings");
    const audit = page.getByRole("region", { name: "Audit log" });
    const agentRows = audit.locator("tbody tr");
    await expect.poll(() => agentRows.count()).toBe(25);
    await audit.getByLabel("Done by").selectOption("agent");
    await audit.getByRole("button", { name: "Apply filters" }).click();
    await audit.getByRole("button", { name: "Load more" }).waitFor();
    await expect(audit.locator('tbody tr[data-actor-kind="agent"]').count()).resolves.toBe(25);
    await expect(agentRows.first().getByText("Agent", { exact: true }).isVisible()).resolves.toBe(true);
    await expect(agentRows.first().getByText("Desktop assistant").isVisible()).resolves.toBe(true);
    await audit.getByRole("button", { name: "Load more" }).click();
    await expect.poll(() => agentRows.count()).toBe(30);
    await audit.getByText("That’s everything for these filters.").waitFor();

    await audit.getByLabel("Done by").selectOption("");
    await audit.getByLabel("Action starts with").fill("invitation.");
    await audit.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(() => agentRows.count()).toBe(2);
    await expect(audit.getByRole("cell", { name: "invitation.create" }).count()).resolves.toBe(1);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("signs out to the sign-in page, after which account pages send you there", async () => {
    const { page } = viewer;
    await page.getByRole("button", { name: `Account: ${VIEWER.name}` }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await page.waitForURL(`${base}/sign-in`);
    await heading(page, "Sign in to Atrium");
    await screenshots(page, "sign-in");
    await page.goto("/account");
    await page.waitForURL(`${base}/sign-in?next=%2Faccount`);
    await heading(page, "Sign in to Atrium");
    // And signing in again comes back to the account page.
    await page.getByLabel("Email").fill(VIEWER.email);
    await page.getByLabel("Password").fill(VIEWER.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL(`${base}/account`);
    await heading(page, "Account settings");
    expect(viewer.unexpectedProblems([{ path: "/api/trpc/projects.create", status: 403 }])).toEqual([]);
  });

  it("keeps the owner's account: devices, and a token shown once, listed and revocable", async () => {
    const { page } = owner;
    await page.getByRole("button", { name: `Account: ${OWNER.name}` }).click();
    await page.getByRole("menuitem", { name: "Account settings" }).click();
    await heading(page, "Account settings");
    await page.getByRole("list", { name: "Signed-in devices" }).getByText("This device").waitFor();

    const tokens = page.getByRole("region", { name: "Personal access tokens" });
    await tokens.getByLabel("Token name").fill("Laptop CLI");
    await expect(tokens.getByLabel("Organization").inputValue()).resolves.toMatch(/^[0-9a-f-]{36}$/);
    await tokens.getByRole("checkbox", { name: /Write/ }).check();
    await tokens.getByRole("button", { name: "Create token" }).click();
    await tokens.getByText("Copy your new token now").waitFor();
    await expect(tokens.getByLabel("Token “Laptop CLI”").inputValue()).resolves.toMatch(/^atr_[a-z2-7]{32}$/);
    const row = tokens.getByRole("row", { name: /Laptop CLI/ });
    await row.getByText("Active").waitFor();
    await screenshots(page, "account");
    await tokens.getByRole("button", { name: "I’ve copied it" }).click();
    await expect(tokens.getByText("Copy your new token now").count()).resolves.toBe(0);
    await row.getByRole("button", { name: "Revoke token Laptop CLI…" }).click();
    await page.getByRole("dialog", { name: "Revoke “Laptop CLI”?" }).getByRole("button", { name: "Revoke token" }).click();
    await row.getByText("Revoked").waitFor();

    // The org settings page, for the record, in both themes.
    await page.goto(`/o/${ORG.slug}/settings`);
    await heading(page, "Organization settings");
    await page.getByRole("region", { name: "Audit log" }).locator("tbody tr").first().waitFor();
    await screenshots(page, "org-settings");
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("gives the viewer another role in one project only; the page reads it back after a reload", async () => {
    const { page } = owner;
    await page.goto(`/o/${ORG.slug}/p/${PROJECT.slug}/settings`);
    await heading(page, PROJECT.name);
    const roles = page.getByRole("region", { name: "Project roles" });
    const select = roles.getByRole("combobox", { name: `Role of ${VIEWER.name} in this project` });
    await expect(select.inputValue()).resolves.toBe("");
    await select.selectOption("editor");
    await page.getByText(`${VIEWER.name} is editor in this project`).waitFor();
    await page.reload();
    await heading(page, PROJECT.name);
    // The overrides are asked for by the members shown: the viewer's comes back.
    await expect.poll(() => select.inputValue()).toBe("editor");
    await select.selectOption("");
    await page.getByText(`${VIEWER.name} has their organization role here again`).waitFor();
    const { rows } = await db.query("select 1 from project_roles pr join users u on u.id = pr.user_id where u.email = $1", [VIEWER.email]);
    expect(rows).toEqual([]);
    expect(owner.unexpectedProblems()).toEqual([]);
  });

  it("finds a project among many: a first page, Show more, and a search the server answers", async () => {
    const { page } = owner;
    const { rows } = await db.query<{ id: string }>("select id from orgs where slug = $1", [ORG.slug]);
    await db.query("insert into projects (org_id, slug, name) select $1, 'bulk-' || n, 'Bulk ' || lpad(n::text, 3, '0') from generate_series(1, 120) n", [rows[0]!.id]);
    await page.goto(`/o/${ORG.slug}`);
    await heading(page, ORG.name);
    const list = page.getByRole("list", { name: "Projects" });
    await list.getByRole("link", { name: "Bulk 001" }).waitFor();
    await expect(list.getByRole("listitem").count()).resolves.toBe(100);
    // "Revenue reporting" sorts after every "Bulk …": it is on the second page.
    await expect(list.getByRole("link", { name: PROJECT.name }).count()).resolves.toBe(0);
    await page.getByRole("button", { name: "Show more projects" }).click();
    await list.getByRole("link", { name: PROJECT.name }).waitFor();
    await expect(list.getByRole("listitem").count()).resolves.toBe(121);
    await expect(page.getByRole("button", { name: "Show more projects" }).count()).resolves.toBe(0);

    await page.getByLabel("Find a project").fill("revenue");
    await expect.poll(() => list.getByRole("listitem").count()).toBe(1);
    await list.getByRole("link", { name: PROJECT.name }).waitFor();
    await page.getByLabel("Find a project").fill("bulk-11");
    await expect.poll(() => list.getByRole("listitem").count()).toBe(11); // bulk-11, bulk-110 … bulk-119
    await page.getByLabel("Find a project").fill("no such project");
    await list.getByText("No project matches “no such project”.").waitFor();
    await page.getByLabel("Find a project").fill("");
    await list.getByRole("link", { name: "Bulk 001" }).waitFor();
    await expect.poll(() => list.getByRole("listitem").count()).toBe(100);
    expect(owner.unexpectedProblems()).toEqual([]);
  });
});
