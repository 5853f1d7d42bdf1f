/**
 * Steps many browser tests take before the part they test: signing a person up (confirming
 * their address from the mail Atrium sent) and creating an organization, through the UI as a
 * person would. tests/e2e/tenancy.test.ts walks the same steps with every assertion.
 */
import type { Page } from "playwright-core";
import type pg from "pg";
import { waitForHydration, type ExpectedResponse, type Harness, type RecordedPage } from "./harness";

export interface Person {
  name: string;
  email: string;
  password: string;
}

/** Waits for the page's main heading. */
export async function heading(page: Page, name: string | RegExp): Promise<void> {
  await page.getByRole("heading", { level: 1, name }).waitFor();
}

/** The text of the newest mail to `to` whose subject matches (from the outbox), waiting up to 5 s. */
export async function mailTo(db: pg.Client, to: string, subject: RegExp): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const { rows } = await db.query<{ subject: string; text_body: string }>("select subject, text_body from mail_outbox where to_address = $1 order by id desc", [to]);
    const mail = rows.find((r) => subject.test(r.subject));
    if (mail) return mail.text_body;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`No mail to ${to} with a subject like ${subject}`);
}

/** Signs `person` up and follows the confirmation link from their mail; ends signed in at home. */
export async function signUpConfirmed(page: Page, base: string, db: pg.Client, person: Person): Promise<void> {
  await page.goto("/sign-up");
  await waitForHydration(page);
  await page.getByLabel("Your name").fill(person.name);
  await page.getByLabel("Work email").fill(person.email);
  await page.getByLabel("Password").fill(person.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL(`${base}/`);
  const link = /https?:\/\/\S+\/verify-email\S*/.exec(await mailTo(db, person.email, /confirm your email/i))?.[0];
  if (!link) throw new Error(`No confirmation link in the mail to ${person.email}`);
  await page.goto(link);
  await page.getByText("Your email address is confirmed.").waitFor();
  await page.getByRole("link", { name: "Continue to Atrium" }).click();
}

/** From any signed-in page with the navigation: creates an organization; ends on its home. */
export async function createOrganization(page: Page, base: string, org: { name: string; slug: string }): Promise<void> {
  await page.getByRole("link", { name: "New organization" }).click();
  await heading(page, "Create an organization");
  await page.getByLabel("Organization name").fill(org.name);
  await page.getByRole("button", { name: "Create organization" }).click();
  await page.waitForURL(`${base}/o/${org.slug}`);
}

/** Creates a project in the organization shown, through the New project dialog, and waits for its page. */
export async function createProject(page: Page, base: string, orgSlug: string, project: { name: string; slug: string }): Promise<void> {
  await page.getByRole("button", { name: "New project" }).click();
  const dialog = page.getByRole("dialog", { name: "New project" });
  await dialog.getByLabel("Project name").fill(project.name);
  await dialog.getByRole("button", { name: "Create project" }).click();
  await page.waitForURL(`${base}/o/${orgSlug}/p/${project.slug}`);
}

/**
 * After a failed test: where each open page was, what went wrong in it (console errors,
 * failed responses other than `expected`), what it showed, and the end of the server's log.
 */
export async function reportFailure(harness: Harness, pages: ReadonlyArray<RecordedPage | null | undefined>, expected: ExpectedResponse[] = []): Promise<void> {
  for (const recorded of pages) {
    if (!recorded) continue;
    console.log(`--- at ${recorded.page.url()}\n${recorded.unexpectedProblems(expected).join("\n")}`);
    console.log((await recorded.page.locator("main").innerText().catch(() => "")).slice(0, 3000));
  }
  console.log(`--- server log\n${harness.server.logs().slice(-4000)}`);
}
