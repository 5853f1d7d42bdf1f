/**
 * The app shell in a real browser against the built server: it loads cleanly, 404s are real,
 * the keyboard works, the theme sticks, and the navigation says where you are.
 */
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, waitForHydration, type Harness } from "./harness";

let harness: Harness;

beforeAll(async () => {
  harness = await startHarness();
});

afterAll(async () => {
  await harness?.close();
});

/** Set E2E_SCREENSHOTS=<dir> to keep screenshots of the pages the tests visit. */
async function screenshot(page: Page, name: string) {
  const dir = process.env.E2E_SCREENSHOTS;
  if (dir) await page.screenshot({ path: path.join(dir, `${name}.png`), fullPage: true });
}

describe("the shell", () => {
  it("loads the home page with no console error and no failed request, favicon included", async () => {
    const { page, unexpectedProblems } = await harness.open();
    const response = await page.goto("/", { waitUntil: "networkidle" });
    expect(response?.status()).toBe(200);
    await expect(page.title()).resolves.toBe("Home · Atrium");
    await page.getByRole("heading", { level: 1, name: "Welcome to Atrium" }).waitFor();
    await page.getByText("Connect data, build dashboards, share them; agents can do it all through MCP.").waitFor();
    // kernel.info, fetched through the typed tRPC client once hydrated.
    const details = page.getByRole("region", { name: "This workspace" });
    await details.getByText("Plugins installed").waitFor();
    await expect(details.getByText(/^Atrium/).textContent()).resolves.toContain("version");
    // The browser asked for the icon the document names, and got it.
    const favicon = await page.request.get("/favicon.svg");
    expect(favicon.status()).toBe(200);
    await page.waitForLoadState("networkidle");
    await screenshot(page, "home-light");
    expect(unexpectedProblems()).toEqual([]);
  });

  it("says so when the server cannot be reached, and Try again recovers", async () => {
    const { page, unexpectedProblems } = await harness.open();
    await page.route("**/api/trpc/**", (route) => route.abort("failed"));
    await page.goto("/", { waitUntil: "networkidle" });
    const details = page.getByRole("region", { name: "This workspace" });
    await details.getByText("We couldn’t reach the Atrium server.", { exact: false }).waitFor();
    await page.unroute("**/api/trpc/**");
    await details.getByRole("button", { name: "Try again" }).click();
    await details.getByText("Plugins installed").waitFor();
    await page.waitForLoadState("networkidle");
    // Every call failed while the server was unreachable: kernel.info and the shell's auth.me.
    expect(unexpectedProblems([{ path: /^\/api\/trpc\/(auth\.me|kernel\.info)[,?]/, status: "failed" }])).toEqual([]);
  });

  it("answers an unknown address with a real 404 page that links home", async () => {
    const { page, unexpectedProblems } = await harness.open();
    const response = await page.goto("/no/such/page", { waitUntil: "networkidle" });
    expect(response?.status()).toBe(404);
    await expect(page.title()).resolves.toBe("Page not found · Atrium");
    const main = page.getByRole("main");
    await main.getByRole("heading", { level: 1, name: "We couldn’t find that page" }).waitFor();
    const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
    await expect(crumbs.locator('[aria-current="page"]').textContent()).resolves.toBe("Page not found");
    await waitForHydration(page);
    await screenshot(page, "not-found");
    await main.getByRole("link", { name: "Go to Home" }).click();
    await page.waitForURL((url) => url.pathname === "/");
    await page.getByRole("heading", { level: 1, name: "Welcome to Atrium" }).waitFor();
    await page.waitForLoadState("networkidle");
    expect(unexpectedProblems([{ path: "/no/such/page", status: 404 }])).toEqual([]);
  });

  it("puts the skip link first in tab order, and it moves focus to the main content", async () => {
    const { page, unexpectedProblems } = await harness.open();
    const focused = () => page.evaluate(() => ({ id: document.activeElement?.id, text: document.activeElement?.textContent?.trim() }));
    for (const address of ["/", "/missing"]) {
      await page.goto(address, { waitUntil: "networkidle" });
      await waitForHydration(page);
      await page.keyboard.press("Tab");
      await expect(focused()).resolves.toMatchObject({ text: "Skip to content" });
      await expect(page.getByRole("link", { name: "Skip to content" }).isVisible()).resolves.toBe(true);
      await page.keyboard.press("Enter");
      await expect(focused()).resolves.toMatchObject({ id: "main" });
    }
    // From there, Tab continues with the page's own controls, not the top bar's.
    await page.keyboard.press("Tab");
    await expect(focused()).resolves.toMatchObject({ text: "Go to Home" });
    expect(unexpectedProblems([{ path: "/missing", status: 404 }])).toEqual([]);
  });

  it("switches the theme with the toggle, and the choice survives a reload", async () => {
    const { page, unexpectedProblems } = await harness.open({ colorScheme: "light" });
    await page.goto("/", { waitUntil: "networkidle" });
    await waitForHydration(page);
    const theme = () => page.evaluate(() => document.documentElement.getAttribute("data-theme"));
    const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await expect(theme()).resolves.toBe("light");
    const lightBackground = await background();

    const toggle = page.getByRole("button", { name: "Dark theme" });
    await expect(toggle.getAttribute("aria-pressed")).resolves.toBe("false");
    await toggle.click();
    await expect(theme()).resolves.toBe("dark");
    await expect(toggle.getAttribute("aria-pressed")).resolves.toBe("true");
    expect(await background()).not.toBe(lightBackground);
    await screenshot(page, "home-dark");

    // Applied before first paint: already set when the document has just been parsed.
    await page.reload({ waitUntil: "domcontentloaded" });
    await expect(theme()).resolves.toBe("dark");
    await page.waitForLoadState("networkidle");
    await waitForHydration(page);
    await expect(page.getByRole("button", { name: "Dark theme" }).getAttribute("aria-pressed")).resolves.toBe("true");

    await page.getByRole("button", { name: "Dark theme" }).click();
    await page.reload({ waitUntil: "domcontentloaded" });
    await expect(theme()).resolves.toBe("light");
    await page.waitForLoadState("networkidle");
    expect(unexpectedProblems()).toEqual([]);
  });

  it("follows the system's dark preference until the user chooses", async () => {
    const { page, unexpectedProblems } = await harness.open({ colorScheme: "dark" });
    await page.goto("/", { waitUntil: "domcontentloaded" });
    await expect(page.evaluate(() => document.documentElement.getAttribute("data-theme"))).resolves.toBe("dark");
    await page.emulateMedia({ colorScheme: "light" });
    await expect.poll(() => page.evaluate(() => document.documentElement.getAttribute("data-theme"))).toBe("light");
    await page.waitForLoadState("networkidle");
    expect(unexpectedProblems()).toEqual([]);
  });

  it("shows the Home link in the left navigation, marked as the current page when there", async () => {
    const { page, unexpectedProblems } = await harness.open();
    await page.goto("/", { waitUntil: "networkidle" });
    const nav = page.getByRole("navigation", { name: "Main" });
    const home = nav.getByRole("link", { name: "Home" });
    await expect(home.getAttribute("href")).resolves.toBe("/");
    await expect(home.getAttribute("aria-current")).resolves.toBe("page");
    const crumbs = page.getByRole("navigation", { name: "Breadcrumb" });
    await expect(crumbs.locator('[aria-current="page"]').textContent()).resolves.toBe("Home");
    // Pages without actions have no action rail.
    await expect(page.getByRole("complementary", { name: "Actions" }).count()).resolves.toBe(0);

    const other = await harness.open();
    await other.page.goto("/somewhere-else", { waitUntil: "networkidle" });
    const otherHome = other.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Home" });
    await expect(otherHome.getAttribute("aria-current")).resolves.toBeNull();
    expect(unexpectedProblems()).toEqual([]);
    expect(other.unexpectedProblems([{ path: "/somewhere-else", status: 404 }])).toEqual([]);
  });
});
