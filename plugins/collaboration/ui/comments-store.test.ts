/**
 * The comments store without a browser, through the browser's tRPC client against the real
 * router: counts load without opening the panel, opening it lists the threads and clears the
 * unread marker, writes refresh both, and a refused write throws its field error to the form.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { bootDataKernel } from "../../data/test-helpers";
import { colleague, workspace } from "../../dashboards/test-helpers";
import { clientAs } from "../../../tests/setup/browser-client";
import { createCommentsStore } from "./comments-store";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

const YAML = `title: Store
charts:
  - id: notes
    type: text
    markdown: hi
`;

test("counts, the panel, unread and writes", async () => {
  const owner = await workspace(k.kernel);
  await owner.caller.dashboards.create({ ...owner.at, yaml: YAML, slug: "store" });
  const viewer = await colleague(k.kernel, owner.org.id, "viewer");
  const at = { ...owner.at, slug: "store" };
  await viewer.caller.collaboration.comments.add({ ...at, chartId: "notes", body: "First" });

  const store = createCommentsStore(clientAs(k.kernel, owner.user.id), at);
  await store.refresh();
  expect(store.threads()).toBeNull();
  expect(store.counts()).toMatchObject({ charts: { notes: 1 }, unread: 1 });

  await store.openPanel("notes");
  expect(store.threads()).toHaveLength(1);
  expect(store.threads()![0]!.unread).toBe(true);
  expect(store.counts()!.unread).toBe(0);
  expect((await owner.caller.collaboration.comments.counts(at)).unread).toBe(0);

  await store.add({ threadId: store.threads()![0]!.id, body: "Reply" });
  expect(store.threads()![0]!.comments.map((c) => c.body)).toEqual(["First", "Reply"]);
  await store.resolve(store.threads()![0]!.id, true);
  expect(store.threads()).toEqual([]);
  expect(store.counts()).toMatchObject({ open: 0, resolved: 1 });

  await expect(store.add({ body: " " })).rejects.toMatchObject({ data: { code: "UNPROCESSABLE_CONTENT", fieldErrors: { body: ["Write something"] } } });
});
