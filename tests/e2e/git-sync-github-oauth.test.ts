/**
 * Git sync through a person's GitHub OAuth grant, in a real browser, against the GitHub-shaped
 * test server (its authorize page sends the person straight back to Atrium's callback with a code,
 * as GitHub does once they authorize): an owner ticks "Include private repositories", clicks
 * "Connect with GitHub (OAuth)", comes back to the Git page, picks one of their repositories,
 * connects (the trunk is imported with their OAuth token), sees whose authorization the connection
 * uses, disconnects, and signs out of GitHub here.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemote, serveGithub, type GithubOauthAppDouble } from "../../plugins/git-sync/test-repos";
import { createOrganization, createProject, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, type Harness, type RecordedPage } from "./harness";

let harness: Harness;
let db: pg.Client;
let github: Awaited<ReturnType<typeof serveGithub>>;
let owner: RecordedPage | undefined;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-e2e-git-oauth-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-e2e-github-oauth-"));
const remote = createRemote("main");
const TOKEN = "gho_e2e-person-oauth-token";
const oauthApp: GithubOauthAppDouble = {
  clientId: "Ov23.e2eoauth",
  clientSecret: "e2e-oauth-secret",
  people: new Map([[TOKEN, { login: "olive", repos: ["acme/dashboards", "acme/elsewhere"] }]]),
  authorizeAs: { token: TOKEN },
  asked: [],
};

const ORG = { name: "OAuth Works", slug: "oauth-works" };
const PROJECT = { name: "Authorized boards", slug: "authorized-boards" };
const dashboard = (title: string) => `title: ${JSON.stringify(title)}\nqueries:\n  one:\n    sql: select 1 as n\ncharts:\n  - id: n\n    type: kpi\n    query: one\n    value: n\n`;

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(remote.bare, path.join(hostRoot, "acme", "dashboards.git"));
  github = await serveGithub(hostRoot, "unused-personal-token", undefined, oauthApp);
  harness = await startHarness({
    env: {
      GIT_SYNC_DIR: syncDir,
      GIT_GITHUB_URL: github.url,
      GIT_PRIVATE_HOSTS: "allow",
      GIT_GITHUB_OAUTH_CLIENT_ID: oauthApp.clientId,
      GIT_GITHUB_OAUTH_CLIENT_SECRET: oauthApp.clientSecret,
    },
  });
  db = new pg.Client({ connectionString: harness.server.databaseUrl });
  await db.connect();
});
afterEach(async (context) => {
  if (context.task.result?.state === "fail") await reportFailure(harness, [owner]);
});
afterAll(async () => {
  await db?.end();
  await harness?.close();
  await github?.close();
  remote.remove();
  rmSync(hostRoot, { recursive: true, force: true });
  rmSync(syncDir, { recursive: true, force: true });
});

describe("git sync through a GitHub OAuth grant", () => {
  it("authorizes on GitHub, picks one of the person's repositories, connects and imports, disconnects, then signs out of GitHub", async () => {
    const first = remote.commit({ "dashboards/sales.yaml": dashboard("Sales") }, "First dashboards");
    owner = await harness.open();
    const { page } = owner;
    const base = harness.server.url;
    await signUpConfirmed(page, base, db, { name: "Olive Oauth", email: "olive@oauth.test", password: "authorizes over tokens" });
    await createOrganization(page, base, ORG);
    await createProject(page, base, ORG.slug, PROJECT);

    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);
    await page.getByRole("heading", { name: "Connect with GitHub (OAuth)" }).waitFor();
    await page.getByLabel("Include private repositories").check();
    await page.getByRole("link", { name: "Connect with GitHub (OAuth)" }).click();
    // GitHub's authorize page sends the person back with a code and the state.
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git?github=authorized`);
    await page.getByText("GitHub authorized Atrium. Pick one of your repositories to connect.").waitFor();
    expect(oauthApp.asked?.at(-1)?.scope).toBe("repo");
    await page.getByText("Authorized as olive").waitFor();

    await page.getByLabel("Your repository").selectOption({ label: "acme/dashboards · main" });
    await page.getByRole("button", { name: "Connect repository" }).click();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent(), { timeout: 20_000 }).toBe(`Last synced commit ${first.slice(0, 12)}`);
    await page.getByText("GitHub (OAuth, via Olive Oauth)").waitFor();
    const stored = await db.query<{ auth_kind: string; credential: string | null; person: string }>(
      "select r.auth_kind, r.credential, u.name as person from git_sync_repositories r join projects p on p.id = r.project_id join users u on u.id = r.github_oauth_user_id where p.slug = $1",
      [PROJECT.slug],
    );
    expect(stored.rows).toEqual([{ auth_kind: "github_oauth", credential: null, person: "Olive Oauth" }]);
    expect(github.requests.some((r) => r.includes("/acme/dashboards.git/") && r.endsWith(`Basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`))).toBe(true);

    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Disconnect the repository?" });
    await confirm.getByRole("button", { name: "Disconnect" }).click();
    await page.getByRole("heading", { name: "Connect a git repository" }).waitFor();
    expect((await db.query("select 1 from git_sync_repositories r join projects p on p.id = r.project_id where p.slug = $1", [PROJECT.slug])).rowCount).toBe(0);
    // Back at the choice, still authorized: signing out of GitHub here forgets the grant.
    await page.getByText("Authorized as olive").waitFor();
    await page.getByRole("button", { name: "Sign out of GitHub here" }).click();
    await page.getByRole("link", { name: "Connect with GitHub (OAuth)" }).waitFor();
    expect(await page.getByText("Authorized as olive").count()).toBe(0);
    expect((await db.query("select 1 from git_sync_github_oauth_grants g join users u on u.id = g.user_id where u.email = $1", ["olive@oauth.test"])).rowCount).toBe(0);
    expect(await page.content()).not.toContain(TOKEN);
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);
});
