import { afterAll, beforeAll, expect, test } from "vitest";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createTestDatabase, testConfig } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";
import { githubConfigFromEnv, type GithubConfig } from "./config";
import { beginGithubSignIn, completeGithubSignIn } from "./service";
import { startGithubTestServer, type GithubTestServer } from "./test-server";

// A kernel logging everything (trace) into memory, to prove no code, state or token reaches the logs.
const lines: string[] = [];
let kernel: Kernel;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let gh: GithubTestServer;
let config: GithubConfig;
beforeAll(async () => {
  database = await createTestDatabase();
  kernel = await bootKernel({
    config: testConfig(database.url),
    plugins: testPlugins,
    workJobs: false,
    log: createLogger("trace", { write: (line: string) => void lines.push(line) }),
  });
  gh = await startGithubTestServer();
  config = githubConfigFromEnv({ AUTH_GITHUB_CLIENT_ID: gh.clientId, AUTH_GITHUB_CLIENT_SECRET: gh.clientSecret, AUTH_GITHUB_URL: gh.url })!;
});
afterAll(async () => {
  await gh?.close();
  await kernel?.stop();
  await database?.drop();
});

async function run(login: string, cfg = config) {
  const url = await beginGithubSignIn(kernel, config, {});
  const search = await gh.drive(url, { login });
  const resHeaders = new Headers();
  const result = await completeGithubSignIn(kernel, cfg, search, { resHeaders, ip: "198.51.100.1", requestId: "logs", signedInUserId: null });
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return { result, secrets: [search.get("code")!, search.get("state")!, ...(cookie ? [cookie.split(";")[0]!.split("=")[1]!] : [])] };
}

test("no authorization code, state, access token, session token or client secret appears in the logs, signed in or refused", async () => {
  gh.accounts.set("logged", { id: 1, login: "logged", emails: [{ email: "logged-gh@example.test", primary: true, verified: true }] });
  gh.accounts.set("unverified", { id: 2, login: "unverified", emails: [{ email: "unverified-gh@example.test", primary: true, verified: false }] });
  const ok = await run("logged");
  expect(ok.result.reason).toBeNull();
  const refused = await run("unverified");
  expect(refused.result.reason).toBe("email_unverified");
  const badSecret = await run("logged", { ...config, clientSecret: "wrong-secret-0123456789" });
  expect(badSecret.result.reason).toBe("provider_error");
  expect(lines.some((l) => l.includes("GitHub sign-in refused"))).toBe(true);
  const log = lines.join("\n");
  expect(gh.issuedTokens.length).toBe(2);
  for (const secret of [...ok.secrets, ...refused.secrets, ...badSecret.secrets, ...gh.issuedTokens, gh.clientSecret, "wrong-secret-0123456789"]) {
    expect(secret.length).toBeGreaterThan(8);
    expect(log).not.toContain(secret);
  }
});
