/**
 * The push webhook over the kernel's HTTP dispatcher with real requests, a real bare repository
 * and real jobs: a signed push to the trunk queues a sync that imports the change within
 * seconds; a bad or missing signature, an unknown project, a replayed delivery (same id, or the
 * same signed body under a new id) and an oversized body are refused and queue nothing; the
 * secret is shown once and kept out of the audit log and the database in clear.
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createHttpDispatcher, type DispatchEnv } from "~/kernel/http/dispatch";
import { bootTestKernel } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";
import { testRouter, unique } from "../../tests/setup/fixtures";
import { eventually } from "../onboarding/test-helpers";
import { rejectionOf, simpleYaml, workspace } from "../dashboards/test-helpers";
import { createRemote } from "./test-repos";
import { signatureOf } from "./webhook";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
const syncDir = mkdtempSync(path.join(tmpdir(), "atrium-git-webhook-"));
const r = createRemote("main");
const dispatcher = createHttpDispatcher(testPlugins);

beforeAll(async () => {
  process.env.GIT_SYNC_DIR = syncDir;
  process.env.GIT_ALLOW_LOCAL_REMOTES = "true";
  k = await bootTestKernel({ workJobs: true });
});
afterAll(async () => {
  await k?.close();
  r.remove();
  rmSync(syncDir, { recursive: true, force: true });
});

async function deliver(url: string, body: string, headers: Record<string, string>) {
  const env: DispatchEnv = { kernel: k.kernel, router: testRouter, requestId: unique("req"), ip: "192.0.2.10" };
  const response = await dispatcher.dispatch(new Request(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body }), env);
  if (!response) throw new Error("no route");
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

const push = (ref: string, after: string) => JSON.stringify({ ref, after, repository: { full_name: "acme/boards" } });

test("a signed push to the trunk syncs within seconds; forged, unknown, replayed and oversized deliveries change nothing", async () => {
  const w = await workspace(k.kernel);
  r.commit({ "dashboards/sales.yaml": simpleYaml("Sales") });
  expect((await rejectionOf(w.caller.gitSync.webhook(w.at))).code).toBe("CONFLICT");
  await w.caller.gitSync.connect({ ...w.at, remoteUrl: r.url });
  expect(await w.caller.gitSync.status(w.at)).toMatchObject({ hasWebhook: false });
  // Connected but no webhook yet: the address answers as if it did not exist.
  const early = await deliver(`${k.kernel.config.publicUrl}/api/git-sync/webhook/${w.project.id}`, "{}", { "x-hub-signature-256": signatureOf("guess", "{}") });
  expect(early.status).toBe(404);

  const hook = await w.caller.gitSync.webhook(w.at);
  expect(hook).toMatchObject({ url: `${k.kernel.config.publicUrl}/api/git-sync/webhook/${w.project.id}`, contentType: "application/json", events: ["push"] });
  expect(hook.secret.length).toBeGreaterThanOrEqual(40);
  expect(await w.caller.gitSync.status(w.at)).toMatchObject({ hasWebhook: true });
  expect(JSON.stringify(await w.caller.gitSync.status(w.at))).not.toContain(hook.secret);
  const stored = await k.kernel.ownerDb.withTables<{ git_sync_repositories: { project_id: string; webhook_secret: string | null } }>().selectFrom("git_sync_repositories").select("webhook_secret").where("project_id", "=", w.project.id).executeTakeFirstOrThrow();
  expect(stored.webhook_secret).not.toContain(hook.secret);
  const audit = await k.kernel.ownerDb.selectFrom("audit_events").select(["action", "data"]).where("org_id", "=", w.org.id).execute();
  expect(audit.map((a) => a.action)).toContain("git-sync.webhook");
  expect(JSON.stringify(audit)).not.toContain(hook.secret);

  const pushed = r.commit({ "dashboards/sales.yaml": simpleYaml("Sales, pushed") }, "Push from outside");
  const body = push("refs/heads/main", pushed);
  const signed = { "x-hub-signature-256": signatureOf(hook.secret, body), "x-github-event": "push", "x-github-delivery": randomUUID() };

  // Forged or missing signatures, and unknown projects: refused before anything is written.
  expect((await deliver(hook.url, body, { ...signed, "x-hub-signature-256": signatureOf("not-the-secret", body) })).status).toBe(401);
  expect((await deliver(hook.url, body, { ...signed, "x-hub-signature-256": "" })).status).toBe(401);
  expect((await deliver(hook.url, `${body} `, signed)).status).toBe(401);
  expect((await deliver(`${k.kernel.config.publicUrl}/api/git-sync/webhook/${randomUUID()}`, body, signed)).status).toBe(404);
  expect((await deliver(`${k.kernel.config.publicUrl}/api/git-sync/webhook/not-a-project`, body, signed)).status).toBe(404);
  const big = "x".repeat(1024 * 1024 + 10);
  expect((await deliver(hook.url, big, { ...signed, "x-hub-signature-256": signatureOf(hook.secret, big) })).status).toBe(413);

  const ping = JSON.stringify({ zen: "Keep it logically awesome." });
  expect(await deliver(hook.url, ping, { "x-hub-signature-256": signatureOf(hook.secret, ping), "x-github-event": "ping", "x-github-delivery": randomUUID() })).toMatchObject({ status: 200 });
  const other = push("refs/heads/feature", pushed);
  expect(await deliver(hook.url, other, { "x-hub-signature-256": signatureOf(hook.secret, other), "x-github-event": "push", "x-github-delivery": randomUUID() })).toMatchObject({
    status: 202,
    json: { queued: false },
  });
  expect((await w.caller.dashboards.get({ ...w.at, slug: "sales" })).title).toBe("Sales");

  const started = Date.now();
  expect(await deliver(hook.url, body, signed)).toMatchObject({ status: 202, json: { queued: true } });
  await eventually(async () => (await w.caller.dashboards.get({ ...w.at, slug: "sales" })).title === "Sales, pushed", 20_000, "the webhook's sync imported the push");
  expect(Date.now() - started).toBeLessThan(20_000);
  expect(await w.caller.gitSync.status(w.at)).toMatchObject({ trunkSha: pushed });

  // Replays: the same delivery again, and the same signed body under a new id.
  expect(await deliver(hook.url, body, signed)).toMatchObject({ status: 409, json: { error: { code: "CONFLICT" } } });
  expect((await deliver(hook.url, body, { ...signed, "x-github-delivery": randomUUID() })).status).toBe(409);

  // A new secret: the old one no longer signs.
  const rotated = await w.caller.gitSync.webhook(w.at);
  const next = push("refs/heads/main", pushed);
  expect((await deliver(hook.url, `${next}\n`, { ...signed, "x-hub-signature-256": signatureOf(hook.secret, `${next}\n`), "x-github-delivery": randomUUID() })).status).toBe(401);
  expect((await deliver(rotated.url, `${next}\n`, { ...signed, "x-hub-signature-256": signatureOf(rotated.secret, `${next}\n`), "x-github-delivery": randomUUID() })).status).toBe(202);
}, 90_000);
