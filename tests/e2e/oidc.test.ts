/**
 * OIDC sign-in in a real browser against a real OpenID Provider (`oidc-provider` on loopback):
 * click "Sign in with Okta", sign in and consent at the provider, land signed in with the right
 * email, listed on the account page's sign-in methods; cancel at the provider and read why on
 * the sign-in page.
 */
import type { Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestProvider, type TestProvider } from "../../plugins/auth-oidc/test-provider";
import { startHarness, waitForHydration, type Harness, type RecordedPage } from "./harness";

let op: TestProvider;
let harness: Harness;
let base: string;
let current: RecordedPage | null = null;

const OLGA = { login: "olga", email: "olga@acme.test", name: "Olga Okta" };

beforeAll(async () => {
  // The app's address is known only once it runs: the provider learns it afterwards.
  op = await startTestProvider({ redirectUris: ["http://127.0.0.1:1/auth/okta/callback"] });
  harness = await startHarness({
    env: {
      AUTH_OIDC_PROVIDERS: "okta",
      AUTH_OIDC_OKTA_ISSUER: op.issuer,
      AUTH_OIDC_OKTA_CLIENT_ID: op.clientId,
      AUTH_OIDC_OKTA_CLIENT_SECRET: op.clientSecret,
      AUTH_OIDC_OKTA_NAME: "Okta",
    },
  });
  base = harness.server.url;
  op.setRedirectUris([`${base}/auth/okta/callback`]);
  op.accounts.set(OLGA.login, { email: OLGA.email, email_verified: true, name: OLGA.name });
});

afterEach(async (context) => {
  if (context.task.result?.state !== "fail" || !current) return;
  console.log(`--- at ${current.page.url()}\n${current.unexpectedProblems().join("\n")}`);
  console.log((await current.page.locator("body").innerText().catch(() => "")).slice(0, 1500));
  console.log(`--- server log\n${harness.server.logs().slice(-4000)}`);
});

afterAll(async () => {
  await harness?.close();
  await op?.close();
});

/** The provider's development pages load a web font; there is no network here. */
async function offline(page: Page) {
  await page.route("https://fonts.googleapis.com/**", (route) => route.fulfill({ status: 200, contentType: "text/css", body: "" }));
}

const providerPages = [{ path: "/favicon.ico", status: 404 }];

describe("Sign in with Okta", () => {
  it("signs in at the provider and lands signed in, at the page asked for", async () => {
    current = await harness.open();
    const { page, unexpectedProblems } = current;
    await offline(page);
    await page.goto("/sign-in?next=%2Forgs%2Fnew");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Sign in with Okta" }).waitFor();
    await expect(page.getByRole("link", { name: /^Sign in with / }).count()).resolves.toBe(1);
    await page.getByRole("link", { name: "Sign in with Okta" }).click();

    // At the provider: its login form, then its consent page.
    await page.waitForURL((url) => url.href.startsWith(op.issuer));
    await page.locator('input[name="login"]').fill(OLGA.login);
    await page.locator('input[name="password"]').fill("anything");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await page.getByRole("button", { name: "Continue" }).click();

    await page.waitForURL(`${base}/orgs/new`);
    await waitForHydration(page);
    const me = await page.context().request.get(`${base}/api/trpc/auth.me`);
    expect(me.status()).toBe(200);
    expect(await me.text()).toContain(OLGA.email);

    // The account page lists the Okta identity among the sign-in methods, used by this session.
    await page.goto("/account");
    await waitForHydration(page);
    const rows = page.locator("section#sign-in-methods").getByRole("list", { name: "Sign-in methods" }).getByRole("listitem");
    await rows.first().waitFor();
    await expect(rows.allInnerTexts()).resolves.toEqual([expect.stringMatching(/^Okta[\s\S]*This session[\s\S]*olga@acme\.test/)]);
    await expect(page.getByRole("link", { name: "Connect Okta" }).count()).resolves.toBe(1);
    expect(unexpectedProblems(providerPages)).toEqual([]);
  });

  it("cancelling at the provider comes back to the sign-in page, saying so, signed out", async () => {
    current = await harness.open();
    const { page, unexpectedProblems } = current;
    await offline(page);
    await page.goto("/sign-in");
    await waitForHydration(page);
    await page.getByRole("link", { name: "Sign in with Okta" }).click();
    await page.waitForURL((url) => url.href.startsWith(op.issuer));
    await page.getByRole("link", { name: "[ Cancel ]" }).click();

    await page.waitForURL(`${base}/sign-in?error=access_denied`);
    await waitForHydration(page);
    await expect(page.getByRole("alert").filter({ hasText: "Sign-in was cancelled at the provider" }).count()).resolves.toBe(1);
    const me = await page.context().request.get(`${base}/api/trpc/auth.me`);
    expect(await me.text()).not.toContain("@");
    expect(unexpectedProblems(providerPages)).toEqual([]);
  });
});
