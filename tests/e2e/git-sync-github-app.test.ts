/**
 * Git sync through the GitHub App, in a real browser, against the GitHub-shaped test server
 * (its install page sends the person straight back to Atrium's callback, as GitHub does once
 * they install and authorize): an owner clicks "Connect with GitHub App", comes back to the Git
 * page, picks the repository from the installation's list, connects (the trunk is imported with
 * an installation token minted for that one repository), then disconnects.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createRemote, serveGithub } from "../../plugins/git-sync/test-repos";
import { createOrganization, createProject, reportFailure, signUpConfirmed } from "./flows";
import { startHarness, type Harness, type RecordedPage } from "./harness";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
let harness: Harness;
let db: pg.Client;
let github: Awaited<ReturnType<typeof serveGithub>>;
let owner: RecordedPage | undefined;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-e2e-git-app-"));
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-e2e-github-app-"));
const remote = createRemote("main");
const installPage = { installationId: 77, userToken: "ghu_e2e-person-token", setupUrl: "" };

const ORG = { name: "App Works", slug: "app-works" };
const PROJECT = { name: "Installed boards", slug: "installed-boards" };
const dashboard = (title: string) => `title: ${JSON.stringify(title)}\nqueries:\n  one:\n    sql: select 1 as n\ncharts:\n  - id: n\n    type: kpi\n    query: one\n    value: n\n`;

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(remote.bare, path.join(hostRoot, "acme", "dashboards.git"));
  github = await serveGithub(hostRoot, "unused-personal-token", {
    id: "4242",
    publicKey: keys.publicKey,
    installations: new Map([[77, ["dashboards"]]]),
    users: new Map([[installPage.userToken, [77]]]),
    oauth: { clientId: "Iv1.e2eapp", clientSecret: "e2e-client-secret", codes: new Map(), installPage },
  });
  harness = await startHarness({
    env: {
      GIT_SYNC_DIR: syncDir,
      GIT_GITHUB_URL: github.url,
      GIT_PRIVATE_HOSTS: "allow",
      GIT_GITHUB_APP_ID: "4242",
      GIT_GITHUB_APP_PRIVATE_KEY: pem,
      GIT_GITHUB_APP_SLUG: "atrium-e2e",
      GIT_GITHUB_APP_CLIENT_ID: "Iv1.e2eapp",
      GIT_GITHUB_APP_CLIENT_SECRET: "e2e-client-secret",
    },
  });
  installPage.setupUrl = `${harness.server.url}/api/git-sync/github/callback`;
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

describe("git sync through the GitHub App", () => {
  it("installs the app, picks the repository, connects and imports, then disconnects", async () => {
    const first = remote.commit({ "dashboards/sales.yaml": dashboard("Sales") }, "First dashboards");
    owner = await harness.open();
    const { page } = owner;
    const base = harness.server.url;
    await signUpConfirmed(page, base, db, { name: "Ian Install", email: "ian@install.test", password: "installs over tokens" });
    await createOrganization(page, base, ORG);
    await createProject(page, base, ORG.slug, PROJECT);

    await page.goto(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git`);
    await page.getByRole("heading", { name: "Connect with the GitHub App" }).waitFor();
    await page.getByRole("link", { name: "Connect with GitHub App" }).click();
    // GitHub's install page sends the person back with the installation, their authorization and the state.
    await page.waitForURL(`${base}/o/${ORG.slug}/p/${PROJECT.slug}/git?github=installed&installationId=77`);
    await page.getByText("The GitHub App is installed. Pick a repository to connect.").waitFor();

    await page.getByLabel("Repository", { exact: true }).selectOption({ label: "acme/dashboards (installation on acme)" });
    await page.getByRole("button", { name: "Connect repository" }).click();
    await expect.poll(() => page.getByTestId("git-last-sync").textContent(), { timeout: 20_000 }).toBe(`Last synced commit ${first.slice(0, 12)}`);
    await page.getByText("GitHub App (installation 77)").waitFor();
    expect(github.issued.size).toBeGreaterThan(0);
    const stored = await db.query<{ auth_kind: string; github_installation_id: string; credential: string | null }>(
      "select r.auth_kind, r.github_installation_id::text, r.credential from git_sync_repositories r join projects p on p.id = r.project_id where p.slug = $1",
      [PROJECT.slug],
    );
    expect(stored.rows).toEqual([{ auth_kind: "github_app", github_installation_id: "77", credential: null }]);

    await page.getByRole("button", { name: "Disconnect", exact: true }).click();
    const confirm = page.getByRole("dialog", { name: "Disconnect the repository?" });
    await confirm.getByRole("button", { name: "Disconnect" }).click();
    await page.getByRole("heading", { name: "Connect a git repository" }).waitFor();
    expect((await db.query("select 1 from git_sync_repositories r join projects p on p.id = r.project_id where p.slug = $1", [PROJECT.slug])).rowCount).toBe(0);
    const content = await page.content();
    for (const token of [installPage.userToken, ...github.issued.keys()]) expect(content).not.toContain(token);
    expect(owner.unexpectedProblems()).toEqual([]);
  }, 120_000);
});
