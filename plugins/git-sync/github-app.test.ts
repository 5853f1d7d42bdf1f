/**
 * GitHub App installation tokens against the local GitHub-shaped server: the app JWT is verified
 * with the app's public key, the token is limited to one repository, git clones with it as the
 * basic-auth password, and a removed installation or a repository outside it is a clear 422.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { rejectionOf } from "../dashboards/test-helpers";
import { authorizationHeader } from "./git";
import { githubSite } from "./github";
import { appJwt, githubAppFromEnv, installationToken, verifyInstallationForUser } from "./github-app";
import { createRemote, serveGithub } from "./test-repos";

const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const pem = keys.privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const hostRoot = mkdtempSync(path.join(tmpdir(), "atrium-github-app-"));
const remote = createRemote("main");
let github: Awaited<ReturnType<typeof serveGithub>>;

beforeAll(async () => {
  mkdirSync(path.join(hostRoot, "acme"));
  symlinkSync(remote.bare, path.join(hostRoot, "acme", "dashboards.git"));
  github = await serveGithub(hostRoot, "unused-personal-token", { id: "4242", publicKey: keys.publicKey, installations: new Map([[77, ["dashboards"]], [88, ["finance"]]]), users: new Map([["ghu_alice", [77]], ["ghu_bob", [88]]]) });
});
afterAll(async () => {
  await github?.close();
  remote.remove();
  rmSync(hostRoot, { recursive: true, force: true });
});

describe("GitHub App installation tokens", () => {
  test("configuration: none, a readable key (escaped newlines too), or an error naming the variable", () => {
    expect(githubAppFromEnv({})).toBeNull();
    expect(githubAppFromEnv({ GIT_GITHUB_APP_ID: "4242", GIT_GITHUB_APP_PRIVATE_KEY: pem.replace(/\n/g, "\\n") })?.appId).toBe("4242");
    expect(() => githubAppFromEnv({ GIT_GITHUB_APP_ID: "abc", GIT_GITHUB_APP_PRIVATE_KEY: pem })).toThrow(/GIT_GITHUB_APP_ID/);
    expect(() => githubAppFromEnv({ GIT_GITHUB_APP_ID: "4242", GIT_GITHUB_APP_PRIVATE_KEY: "not a key" })).toThrow(/GIT_GITHUB_APP_PRIVATE_KEY/);
  });

  test("a token minted for the installation's repository clones it; a removed installation, another repository and a wrong key are refused clearly", async () => {
    const app = githubAppFromEnv({ GIT_GITHUB_APP_ID: "4242", GIT_GITHUB_APP_PRIVATE_KEY: pem })!;
    const site = githubSite({ GIT_GITHUB_URL: github.url });
    const sha = remote.commit({ "README.md": "hello" });
    const minted = await installationToken(site, app, 77, "dashboards");
    expect(minted.token).toMatch(/^ghs_/);
    expect(Date.parse(minted.expiresAt)).toBeGreaterThan(Date.now());
    const { stdout: heads } = await promisify(execFile)("git", ["-c", `http.extraHeader=${authorizationHeader(minted.token)}`, "ls-remote", `${github.url}/acme/dashboards.git`, "refs/heads/main"], {
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null", GIT_TERMINAL_PROMPT: "0" },
    });
    expect(heads.startsWith(sha)).toBe(true);

    const removed = await rejectionOf(installationToken(site, app, 78, "dashboards"));
    expect(removed.fields.installationId?.[0]).toMatch(/no longer installed/);
    const other = await rejectionOf(installationToken(site, app, 77, "secrets"));
    expect(other.fields.installationId?.[0]).toMatch(/does not include secrets/);
    const stranger = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const wrongKey = await rejectionOf(installationToken(site, { appId: "4242", key: stranger }, 77, "dashboards"));
    expect(wrongKey.code).toBe("BAD_GATEWAY");
    expect(appJwt(app).split(".")).toHaveLength(3);
  });

  test("an installation id is tied to the person: only one their own GitHub token reaches, with the repository in it; a forged id is refused", async () => {
    const site = githubSite({ GIT_GITHUB_URL: github.url });
    const mine = await verifyInstallationForUser(site, "ghu_alice", 77, "dashboards");
    expect(mine.cloneUrl).toBe(`${github.url}/acme/dashboards.git`);
    expect(mine.defaultBranch).toBe("main");
    // Alice names Bob's installation (as a forged setup_url query string would): refused, nothing reached.
    const forged = await rejectionOf(verifyInstallationForUser(site, "ghu_alice", 88, "finance"));
    expect(forged.code).toBe("UNPROCESSABLE_CONTENT");
    expect(forged.fields.installationId?.[0]).toMatch(/installation 88 is not one your GitHub account can reach/);
    const unknown = await rejectionOf(verifyInstallationForUser(site, "ghu_alice", 99, "dashboards"));
    expect(unknown.fields.installationId?.[0]).toMatch(/not one your GitHub account can reach/);
    const outside = await rejectionOf(verifyInstallationForUser(site, "ghu_alice", 77, "finance"));
    expect(outside.fields.repository?.[0]).toMatch(/finance is not among the repositories/);
    const revoked = await rejectionOf(verifyInstallationForUser(site, "ghu_revoked", 77, "dashboards"));
    expect(revoked.fields.installationId?.[0]).toMatch(/authorization was revoked/);
  });
});
