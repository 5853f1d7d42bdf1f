/**
 * Errors show where they happened: a field's next to the field (announced through
 * aria-describedby, focus moved there), anything else in the form's alert; the submit button
 * says what it is doing meanwhile.
 */
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

/** The error text a field's aria-describedby points at, and whether it is marked invalid. */
async function fieldState(page: Page, label: string) {
  return page.getByLabel(label, { exact: true }).evaluate((input) => {
    const ids = (input.getAttribute("aria-describedby") ?? "").split(" ").filter(Boolean);
    return {
      invalid: input.getAttribute("aria-invalid") === "true",
      described: ids.map((id) => document.getElementById(id)?.textContent?.trim() ?? "").join(" | "),
      focused: input === document.activeElement,
    };
  });
}

describe("form errors", () => {
  it("marks empty required fields without calling the server, and focuses the first", async () => {
    const { page, unexpectedProblems } = await harness.open();
    await page.goto("/sign-up");
    await waitForHydration(page);
    await page.getByRole("button", { name: "Create account" }).click();
    await expect(fieldState(page, "Your name")).resolves.toEqual({ invalid: true, described: "Enter your name.", focused: true });
    await expect(fieldState(page, "Work email")).resolves.toMatchObject({ invalid: true, described: "Enter your email address." });
    // Typing clears a field's error.
    await page.getByLabel("Your name").fill("Rita");
    await expect(fieldState(page, "Your name")).resolves.toMatchObject({ invalid: false, described: "" });
    expect(unexpectedProblems()).toEqual([]);
  });

  it("puts the server's field error under its field, and other errors in the form's alert", async () => {
    const { page, unexpectedProblems } = await harness.open();
    await page.goto("/sign-up");
    await waitForHydration(page);
    await page.getByLabel("Your name").fill("Rita Repeat");
    await page.getByLabel("Work email").fill("rita@forms.test");
    await page.getByLabel("Password").fill("a long and private phrase");
    const submit = page.getByRole("button", { name: "Create account" });
    await submit.click();
    await page.waitForURL((url) => url.pathname === "/");

    // A password the server refuses (one of the most common): 422 with a field error on `password`.
    const other = await harness.open();
    await other.page.goto("/sign-up");
    await waitForHydration(other.page);
    await other.page.getByLabel("Your name").fill("Rita Again");
    await other.page.getByLabel("Work email").fill("rita@forms.test");
    await other.page.getByLabel("Password").fill("password1234");
    await other.page.getByRole("button", { name: "Create account" }).click();
    await expect
      .poll(() => fieldState(other.page, "Password"))
      .toEqual({
        invalid: true,
        // The field's hint, then the server's error.
        described: "At least 10 characters. A long phrase is easier to remember and harder to guess. | This password is one of the most common ones; choose something harder to guess.",
        focused: true,
      });
    // Said once, by the field: the form's alert stays empty.
    await expect(other.page.getByRole("alert").filter({ hasText: /\S/ }).count()).resolves.toBe(0);
    // The button is usable again and says so.
    await expect(other.page.getByRole("button", { name: "Create account" }).isEnabled()).resolves.toBe(true);

    // The same address again, with a good password: the answer a new address gets ("check your
    // email"), not "already exists", so the form does not tell who has an account.
    await other.page.getByLabel("Password").fill("another long private phrase");
    await other.page.getByRole("button", { name: "Create account" }).click();
    await other.page.getByText("Check your email").waitFor();
    await expect(other.page.getByText(/already exists/).count()).resolves.toBe(0);

    // A wrong password belongs to no field: the form's alert says it.
    await other.page.goto("/sign-in");
    await waitForHydration(other.page);
    await other.page.getByLabel("Email").fill("rita@forms.test");
    await other.page.getByLabel("Password").fill("not the password at all");
    await other.page.getByRole("button", { name: "Sign in" }).click();
    await other.page.getByRole("alert").getByText("Email or password is incorrect.").waitFor();
    await expect(fieldState(other.page, "Email")).resolves.toMatchObject({ invalid: false });

    expect(unexpectedProblems()).toEqual([]);
    expect(
      other.unexpectedProblems([
        { path: "/api/trpc/authPassword.signUp", status: 422 },
        { path: "/api/trpc/authPassword.signIn", status: 401 },
      ]),
    ).toEqual([]);
  });

  it("shows progress on the submit button while the call runs", async () => {
    const { page, unexpectedProblems } = await harness.open();
    await page.goto("/forgot-password");
    await waitForHydration(page);
    // Hold the call so the busy state can be seen.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route("**/api/trpc/authPassword.requestPasswordReset", async (route) => {
      await held;
      await route.continue();
    });
    await page.getByLabel("Email").fill("nobody@forms.test");
    await page.getByRole("button", { name: "Send reset link" }).click();
    const busy = page.getByRole("button", { name: "Sending link…" });
    await busy.waitFor();
    await expect(busy.isDisabled()).resolves.toBe(true);
    release();
    await page.getByText("Check your email").waitFor();
    expect(unexpectedProblems()).toEqual([]);
  });

  it("sends you to sign in at your next action once your session was ended from another device", async () => {
    const account = { name: "Sam Twodevices", email: "sam@forms.test", password: "two devices one person" };
    const laptop = await harness.open();
    await laptop.page.goto("/sign-up");
    await waitForHydration(laptop.page);
    await laptop.page.getByLabel("Your name").fill(account.name);
    await laptop.page.getByLabel("Work email").fill(account.email);
    await laptop.page.getByLabel("Password").fill(account.password);
    await laptop.page.getByRole("button", { name: "Create account" }).click();
    await laptop.page.waitForURL((url) => url.pathname === "/");
    await laptop.page.goto("/account");
    await laptop.page.getByRole("heading", { level: 1, name: "Account settings" }).waitFor();

    const phone = await harness.open();
    await phone.page.goto("/sign-in?next=%2Faccount");
    await waitForHydration(phone.page);
    await phone.page.getByLabel("Email").fill(account.email);
    await phone.page.getByLabel("Password").fill(account.password);
    await phone.page.getByRole("button", { name: "Sign in" }).click();
    await phone.page.waitForURL((url) => url.pathname === "/account");
    const devices = phone.page.getByRole("list", { name: "Signed-in devices" });
    await expect.poll(() => devices.getByRole("listitem").count()).toBe(2);
    await phone.page.getByRole("button", { name: "Sign out other devices" }).click();
    await expect.poll(() => devices.getByRole("listitem").count()).toBe(1);

    // The laptop does not know yet; its next call answers 401 and the page moves to sign-in.
    await laptop.page.getByLabel("Name", { exact: true }).fill("Sam Again");
    await laptop.page.getByRole("button", { name: "Save name" }).click();
    await laptop.page.waitForURL((url) => url.pathname === "/sign-in" && url.searchParams.get("next") === "/account");
    await laptop.page.getByRole("heading", { level: 1, name: "Sign in to Atrium" }).waitFor();

    expect(phone.unexpectedProblems()).toEqual([]);
    expect(laptop.unexpectedProblems([{ path: "/api/trpc/auth.updateProfile", status: 401 }])).toEqual([]);
  });
});
