import { afterAll, beforeAll, expect, test } from "vitest";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { createTestDatabase, testConfig } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";
import type { OidcProviderConfig } from "./config";
import { beginSignIn, callbackUrl, clearDiscoveryCache, completeSignIn } from "./service";
import { startTestProvider, type TestProvider } from "./test-provider";

// A kernel logging everything (trace) into memory, to prove no code, state or token reaches the logs.
const lines: string[] = [];
let kernel: Kernel;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
let op: TestProvider;
let okta: OidcProviderConfig;
beforeAll(async () => {
  database = await createTestDatabase();
  kernel = await bootKernel({
    config: testConfig(database.url),
    plugins: testPlugins,
    workJobs: false,
    log: createLogger("trace", { write: (line: string) => void lines.push(line) }),
  });
  op = await startTestProvider({ redirectUris: [callbackUrl(kernel.config.publicUrl, "okta")] });
  okta = { id: "okta", name: "Okta", issuer: op.issuer, clientId: op.clientId, clientSecret: op.clientSecret };
});
afterAll(async () => {
  await op?.close();
  await kernel?.stop();
  await database?.drop();
  clearDiscoveryCache();
});

async function run(login: string, tamper: TestProvider["tamperIdToken"] = null) {
  op.tamperIdToken = tamper;
  const url = await beginSignIn(kernel, okta, {});
  const search = await op.drive(url, { login });
  const resHeaders = new Headers();
  const result = await completeSignIn(kernel, [okta], "okta", search, { resHeaders, ip: "198.51.100.1", requestId: "logs", signedInUserId: null });
  const cookie = resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  return { result, secrets: [search.get("code")!, search.get("state")!, url.searchParams.get("nonce")!, ...(cookie ? [cookie.split(";")[0]!.split("=")[1]!] : [])] };
}

test("no authorization code, state, nonce or session token appears in the logs, signed in or refused", async () => {
  op.accounts.set("logged", { email: "logged-oidc@example.test", email_verified: true });
  op.accounts.set("unverified", { email: "unverified-oidc@example.test", email_verified: false });
  const ok = await run("logged");
  expect(ok.result.reason).toBeNull();
  const refused = await run("unverified");
  expect(refused.result.reason).toBe("email_unverified");
  const badAudience = await run("logged", (claims) => ({ ...claims, aud: "someone-else" }));
  expect(badAudience.result.reason).toBe("token_invalid");
  expect(lines.some((l) => l.includes("OIDC sign-in refused"))).toBe(true);
  const log = lines.join("\n");
  for (const secret of [...ok.secrets, ...refused.secrets, ...badAudience.secrets]) {
    expect(secret.length).toBeGreaterThan(8);
    expect(log).not.toContain(secret);
  }
  expect(log).not.toContain(op.clientSecret);
});
