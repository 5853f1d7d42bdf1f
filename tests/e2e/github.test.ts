/**
 * GitHub sign-in in a real browser against a local server speaking GitHub's OAuth and REST
 * shapes (plugins/auth-github/test-server.ts, reached through AUTH_GITHUB_URL like a GitHub
 * Enterprise Server): click "Sign in with GitHub", authorize, land signed in; the account page
 * lists the GitHub identity and refuses to unlink the last way in; an owner requires GitHub for
 * their org; a member signed in with a password is told so and signs in with GitHub from there.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startGithubTestServer, type GithubTestServer } from "../../plugins/auth-github/test-server";
import { hashPassword } from "../../plugins/auth-password/service";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let gh: GithubTestServer;
let harness: Harness;
let base: string;
let db: pg.Client;
let current: RecordedPage | null = null;

const MONA = { login: "mona", email: "mona@octo.test", name: "Mona Octocat" };
const PAULA = { login: "paula-gh", email: "paula@octo.test", name: "Paula Password", password: "a long enough passphrase" };
const ORG = { slug: "octo-corp", name: "Octo Corp" };

beforeAll(async () => {
  gh = await startGithubTestServer();
  harness = await startHarness({ env: { AUTH_GITHUB_CLIENT_ID: gh.clientId, AUTH_GITHUB_CLIENT_SECRET: gh.clientSecret, AUTH_GITHUB_URL: gh.url } });
  base = harness.server.url;
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
  gh.accounts.set(MONA.login, { id: 583231, login: MONA.login, name: MONA.name, emails: [{ email: MONA.email, primary: true, verified: true }] });
  gh.accounts.set(PAULA.login, { id: 777001, login: PAULA.login, name: PAULA.name, emails: [{ email: `paula.gh@elsewhere.test`, primary: true, verified: true }] });
});

afterEach(async (context) => {
  if (context.task.result?.state !== "fail" || !current) return;
  console.log(`--- at ${current.page.url()}\n${current.unexpectedProblems().join("\n")}`);
  console.log((await current.page.locator("body").innerText().catch(() => "")).slice(0, 1500));
  console.log(`--- server log\n${harness.server.logs().slice(-4000)}`);
});

afterAll(async () => {
  await db?.end();
  await harness?.close();
  await gh?.close();
});

/** Set E2E_SCREENSHOTS=<dir> to keep screenshots of the pages the tests visit. */
async function screenshot(page: Page, name: string) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (!dir) return;
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: path.join(dir, `github-${name}.png`), fullPage: true });
}

describe("Sign in with GitHub", () => {
  it("authorizes at GitHub and lands signed in at the page asked for; the account page lists GitHub and will not unlink the last way in", async () => {
    current = await harness.open();
    const { page, unexpectedProblems } = current;
    gh.signedInAs = MONA.login;
    await page.goto("/sign-in?next=%2Faccount");
    await waitForHydration(page);
    const button = page.getByRole("link", { name: "Sign in with GitHub" });
    await button.waitFor();
    await button.click();

    // At "GitHub": the consent page.
    await page.waitForURL((url) => url.href.startsWith(`${gh.url}/login/oauth/authorize`));
    await page.getByRole("button", { name: "Authorize" }).click();

    await page.waitForURL(`${base}/account`);
    await waitForHydration(page);
    const me = await page.context().request.get(`${base}/api/trpc/auth.me`);
    expect(await me.text()).toContain(MONA.email);

    const section = page.locator("section#sign-in-methods");
    await section.getByRole("heading", { name: "Sign-in methods" }).waitFor();
    const rows = section.getByRole("list", { name: "Sign-in methods" }).getByRole("listitem");
    await rows.first().waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await expect(rows.first().innerText()).resolves.toMatch(/GitHub[\s\S]*This session[\s\S]*@mona[\s\S]*your only way to sign in/);
    await expect(section.getByRole("link", { name: "Connect GitHub" }).count()).resolves.toBe(1);

    // Unlinking the only way in is refused, and says why; the identity stays.
    await section.getByRole("button", { name: /^Unlink GitHub .*@mona$/ }).click();
    await section.getByRole("alert").filter({ hasText: "This is your only way to sign in here" }).waitFor();
    await expect(rows.count()).resolves.toBe(1);
    await screenshot(page, "account-sign-in-methods");
    expect(unexpectedProblems([{ path: /^\/api\/trpc\/signIn\.methods\.unlink/, status: 409 }])).toEqual([]);
  });

  it("an owner requires GitHub; a member signed in with a password is refused with a 'Sign in with GitHub' button that gets them in", async () => {
    // Mona (signed in with GitHub above) owns Octo Corp; Paula, a member, has a password only.
    const mona = await db.query<{ id: string }>("select id from users where email = $1", [MONA.email]);
    const paula = await db.query<{ id: string }>("insert into users (email, name, email_verified_at) values ($1, $2, now()) returning id", [PAULA.email, PAULA.name]);
    await db.query("insert into auth_password_credentials (user_id, hash) values ($1, $2)", [paula.rows[0]!.id, await hashPassword(PAULA.password)]);
    const org = await db.query<{ id: string }>("insert into orgs (slug, name) values ($1, $2) returning id", [ORG.slug, ORG.name]);
    await db.query("insert into memberships (org_id, user_id, role) values ($1, $2, 'owner'), ($1, $3, 'editor')", [org.rows[0]!.id, mona.rows[0]!.id, paula.rows[0]!.id]);

    // The owner, in a GitHub session, requires GitHub in the org settings.
    current = await harness.open();
    let { page, unexpectedProblems } = current;
    gh.signedInAs = MONA.login;
    await page.goto(`/sign-in?next=${encodeURIComponent(`/o/${ORG.slug}/settings`)}`);
    await waitForHydration(page);
    await page.getByRole("link", { name: "Sign in with GitHub" }).click();
    await page.getByRole("button", { name: "Authorize" }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}/settings`);
    await waitForHydration(page);
    const policy = page.locator("section#sign-in-policy");
    await policy.getByRole("heading", { name: "Sign-in policy" }).waitFor();
    await policy.getByLabel("Required sign-in").selectOption({ label: "GitHub" });
    await policy.getByRole("button", { name: "Save sign-in policy" }).click();
    await policy.getByText("Members must sign in with GitHub").waitFor();
    await screenshot(page, "org-sign-in-policy");
    expect(unexpectedProblems()).toEqual([]);

    // Paula signs in with her password and opens the org: refused, with the way in offered.
    current = await harness.open();
    ({ page, unexpectedProblems } = current);
    await page.goto(`/sign-in?next=${encodeURIComponent(`/o/${ORG.slug}`)}`);
    await waitForHydration(page);
    await page.getByLabel("Email").fill(PAULA.email);
    await page.getByLabel("Password").fill(PAULA.password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.waitForURL(`${base}/o/${ORG.slug}`);
    await waitForHydration(page);
    // The projects panel (like every panel that loads through <Loaded>) says so, with the way in.
    const refusal = page.getByRole("alert").filter({ hasText: "We couldn’t load the projects" });
    await refusal.waitFor();
    await expect(refusal.innerText()).resolves.toContain("This organization requires signing in with GitHub.");
    const signInWithGithub = refusal.getByRole("link", { name: "Sign in with GitHub" });
    await expect(signInWithGithub.count()).resolves.toBe(1);
    await screenshot(page, "policy-refusal");

    gh.signedInAs = PAULA.login;
    await signInWithGithub.click();
    await page.getByRole("button", { name: "Authorize" }).click();
    // Back at the org, now in a GitHub session (her GitHub account linked to her account).
    await page.waitForURL(`${base}/o/${ORG.slug}`);
    await waitForHydration(page);
    await page.getByText("No projects yet").waitFor();
    await expect(page.getByText("This organization requires signing in with GitHub.").count()).resolves.toBe(0);
    const linked = await db.query("select login from auth_github_identities where user_id = $1", [paula.rows[0]!.id]);
    expect(linked.rows).toEqual([{ login: PAULA.login }]);
    expect(unexpectedProblems([{ path: /^\/api\/trpc\//, status: 403 }])).toEqual([]);
  });
});
