/**
 * Email invitations to view, on real PostgreSQL and through the kernel's HTTP dispatcher as the
 * invited browser: the mail (kernel mailer outbox) carries a one-time link; opening it sets a
 * cookie bound to that browser; the link then refuses; a resend voids earlier links; an hour
 * old link refuses; revoking ends the browser's access on every instance; another browser's
 * (or no) cookie sees nothing; another site's Origin is refused; asking for more access mails
 * the inviter once a day.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import type { Kernel } from "~/kernel/kernel";
import { bootTestKernel } from "../../tests/setup/database";
import { testRouter, unique } from "../../tests/setup/fixtures";
import { testPlugins } from "../../tests/setup/plugins";
import { bootDataKernel } from "../data/test-helpers";
import { simpleYaml, workspace } from "../dashboards/test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
let second: { kernel: Kernel; close: () => Promise<void> };
beforeAll(async () => {
  k = await bootDataKernel();
  second = await bootTestKernel({ url: k.url });
});
afterAll(async () => {
  await second?.kernel.stop();
  await k?.close();
});

const dispatcher = createHttpDispatcher(testPlugins);

async function post(kernel: Kernel, path: string, body: unknown, headers: Record<string, string> = {}) {
  const env: DispatchEnv = { kernel, router: testRouter, requestId: unique("req"), ip: "203.0.113.5" };
  const response = await dispatcher.dispatch(new Request(`${kernel.config.publicUrl}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) }), env);
  if (!response) throw new Error("no route");
  return { status: response.status, cookie: response.headers.get("set-cookie"), body: JSON.parse(await response.text()) as Record<string, unknown> };
}

async function mailTo(to: string) {
  const rows = await k.kernel.ownerDb.selectFrom("mail_outbox").select(["subject", "text_body"]).where("to_address", "=", to).orderBy("id", "desc").execute();
  return rows;
}

const tokenIn = (text: string) => /\/v\/([A-Za-z0-9_-]{22})/.exec(text)?.[1] ?? "";

async function invited() {
  const w = await workspace(k.kernel);
  await w.caller.dashboards.create({ ...w.at, yaml: simpleYaml("Weekly numbers"), slug: "weekly" });
  const email = `${unique("viewer")}@example.test`;
  const out = await w.caller.sharing.invites.create({ ...w.at, slug: "weekly", email });
  const mails = await mailTo(email);
  return { w, email, inviteId: out.inviteId, token: tokenIn(mails[0]!.text_body), mails };
}

async function accept(token: string) {
  const answer = await post(k.kernel, "/api/sharing/invite/accept", { token });
  const cookie = answer.cookie?.split(";")[0] ?? "";
  return { ...answer, cookieHeader: cookie };
}

describe("an invitation to view", () => {
  test("mails a one-time link that binds view access to the browser that opens it", async () => {
    const { w, inviteId, token, mails } = await invited();
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain("Weekly numbers");
    expect(token).not.toBe("");
    expect((await w.caller.sharing.invites.list({ ...w.at, slug: "weekly" })).invites).toEqual([expect.objectContaining({ id: inviteId, status: "sent" })]);

    const opened = await accept(token);
    expect(opened.status).toBe(200);
    expect(opened.cookie).toMatch(/HttpOnly/);
    expect(opened.cookie).toMatch(/SameSite=Strict/);
    expect(opened.cookie).toContain(`Path=/api/sharing/invited/${inviteId}`);
    // One time: the same link again is refused.
    expect((await accept(token)).status).toBe(404);

    const view = await post(k.kernel, `/api/sharing/invited/${inviteId}`, {}, { cookie: opened.cookieHeader });
    expect(view.status).toBe(200);
    expect((view.body.dashboard as { title: string }).title).toBe("Weekly numbers");
    expect(JSON.stringify(view.body)).not.toContain("select 1");
    // Another browser (no cookie, or a made-up one) sees nothing.
    expect((await post(k.kernel, `/api/sharing/invited/${inviteId}`, {})).status).toBe(404);
    expect((await post(k.kernel, `/api/sharing/invited/${inviteId}`, {}, { cookie: `${opened.cookieHeader.split("=")[0]}=forged` })).status).toBe(404);
    // Another site cannot use the browser's cookie.
    expect((await post(k.kernel, `/api/sharing/invited/${inviteId}`, {}, { cookie: opened.cookieHeader, origin: "https://evil.example" })).status).toBe(403);
    expect((await w.caller.sharing.invites.list({ ...w.at, slug: "weekly" })).invites[0]).toMatchObject({ status: "viewing" });

    // Revoked: the browser's next refresh fails, on the other instance too.
    await w.caller.sharing.invites.revoke({ ...w.at, inviteId });
    const env: DispatchEnv = { kernel: second.kernel, router: testRouter, requestId: unique("req"), ip: null };
    const elsewhere = await dispatcher.dispatch(new Request(`${second.kernel.config.publicUrl}/api/sharing/invited/${inviteId}`, { method: "POST", headers: { "content-type": "application/json", cookie: opened.cookieHeader }, body: "{}" }), env);
    expect(elsewhere!.status).toBe(404);
    expect((await post(k.kernel, `/api/sharing/invited/${inviteId}`, {}, { cookie: opened.cookieHeader })).status).toBe(404);
  });

  test("sending again voids the earlier link; a link over an hour old refuses", async () => {
    const { w, email, inviteId, token: first } = await invited();
    const again = await w.caller.sharing.invites.create({ ...w.at, slug: "weekly", email });
    expect(again).toEqual({ inviteId, resent: true });
    const tokens = (await mailTo(email)).map((m) => tokenIn(m.text_body));
    expect(tokens).toHaveLength(2);
    const second = tokens.find((t) => t !== first)!;
    expect(second).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect((await accept(first)).status).toBe(404);

    await k.kernel.ownerDb.withTables<{ sharing_invites: { id: string; link_expires_at: Date } }>().updateTable("sharing_invites").set({ link_expires_at: new Date(Date.now() - 1000) }).where("id", "=", inviteId).execute();
    expect((await accept(second)).status).toBe(404);
  });

  test("the viewer asks for more access: the inviter gets one mail a day", async () => {
    const { w, inviteId, token } = await invited();
    const opened = await accept(token);
    const ask = await post(k.kernel, `/api/sharing/invited/${inviteId}/ask`, { message: "Could I edit the filters?" }, { cookie: opened.cookieHeader });
    expect(ask.status).toBe(200);
    const me = await k.kernel.ownerDb.selectFrom("users").select("email").where("id", "=", w.user.id).executeTakeFirstOrThrow();
    const mails = (await mailTo(me.email)).filter((m) => m.subject.includes("asks for more access"));
    expect(mails).toHaveLength(1);
    expect(mails[0]!.text_body).toContain("Could I edit the filters?");
    expect((await post(k.kernel, `/api/sharing/invited/${inviteId}/ask`, { message: "again" }, { cookie: opened.cookieHeader })).status).toBe(429);
    expect((await post(k.kernel, `/api/sharing/invited/${inviteId}/ask`, { message: "no cookie" })).status).toBe(404);
  });
});
