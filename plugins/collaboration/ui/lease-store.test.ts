/**
 * The editor's lease store without a browser, against the real router and event bus: the first
 * editor holds the lease, the second is read-only; a takeover turns the first read-only at once
 * and keeps their unsaved text as their draft; leaving frees the lease for whoever waits.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRoot, createSignal } from "solid-js";
import { asUser } from "../../../tests/setup/fixtures";
import { bootDataKernel } from "../../data/test-helpers";
import { colleague, simpleYaml, workspace } from "../../dashboards/test-helpers";
import type { EditorSession } from "~/ui/plugin-ui";
import { createLeaseStore, type LeaseApi } from "./lease-store";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

function apiFor(userId: string, d: { orgId: string; projectId: string; slug: string }): LeaseApi {
  const c = asUser(k.kernel, userId).collaboration;
  return {
    open: () => c.lease.open(d),
    get: () => c.lease.get(d),
    renew: () => c.lease.renew(d),
    takeOver: () => c.lease.takeOver({ ...d, confirm: true }),
    handOff: (to) => c.lease.handOff({ ...d, userId: to }),
    release: () => c.lease.release(d),
    editors: () => c.lease.editors(d),
    saveDraft: (yaml, baseVersion) => c.drafts.save({ ...d, yaml, baseVersion }),
    discardDraft: () => c.drafts.discard(d),
    onChange: (listener) => {
      const controller = new AbortController();
      void (async () => {
        const stream = await asUser(k.kernel, userId, { signal: controller.signal }).collaboration.lease.onChange(d);
        for await (const event of stream) listener(event);
      })().catch(() => {});
      return () => controller.abort();
    },
  };
}

function fakeEditor(yaml: string) {
  const [text, setText] = createSignal(yaml);
  const [readOnly, setReadOnly] = createSignal(false);
  const session: EditorSession = { text, dirty: () => text() !== yaml, version: () => 1, restore: (t) => setText(t), reload: async () => void setText(yaml), setReadOnly };
  return { session, setText, readOnly };
}

async function until(check: () => boolean) {
  for (let i = 0; i < 100 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(check()).toBe(true);
}

test("hold, lock, take over (told at once, draft kept), leave", async () => {
  const owner = await workspace(k.kernel);
  const yaml = simpleYaml("Leased");
  await owner.caller.dashboards.create({ ...owner.at, yaml, slug: "leased" });
  const bob = await colleague(k.kernel, owner.org.id, "editor");
  const d = { ...owner.at, slug: "leased" };

  await createRoot(async (dispose) => {
    const annEditor = fakeEditor(yaml);
    const bobEditor = fakeEditor(yaml);
    const ann = createLeaseStore(apiFor(owner.user.id, d), annEditor.session, { draftDelayMs: 10 });
    const bobs = createLeaseStore(apiFor(bob.user.id, d), bobEditor.session, { draftDelayMs: 10 });
    await ann.start();
    expect(ann.mode()).toBe("editing");
    await bobs.start();
    expect(bobs.mode()).toBe("locked");
    expect(bobEditor.readOnly()).toBe(true);
    expect(bobs.lease()?.holder?.id).toBe(owner.user.id);

    annEditor.setText(`${yaml}# unsaved\n`);
    await new Promise((r) => setTimeout(r, 200)); // the subscription is listening
    await bobs.takeOver();
    expect(bobs.mode()).toBe("editing");
    expect(bobEditor.readOnly()).toBe(false);

    await until(() => ann.mode() === "lost");
    expect(annEditor.readOnly()).toBe(true);
    expect(ann.told()).toMatch(/took over editing.*kept as your draft/);
    await until(() => ann.lease()?.holder?.id === bob.user.id);
    const draft = await asUser(k.kernel, owner.user.id).collaboration.lease.get(d);
    expect(draft.draft?.yaml).toBe(`${yaml}# unsaved\n`);

    // Ann waits; Bob leaves: the lease is Ann's again.
    ann.dispose();
    const annAgain = createLeaseStore(apiFor(owner.user.id, d), fakeEditor(yaml).session);
    await annAgain.start();
    expect(annAgain.mode()).toBe("locked");
    annAgain.setChoice("wait");
    await new Promise((r) => setTimeout(r, 200));
    bobs.dispose();
    await until(() => annAgain.mode() === "editing");
    expect(annAgain.offer()?.yaml).toBe(`${yaml}# unsaved\n`);
    annAgain.dispose();
    dispose();
  });
});
