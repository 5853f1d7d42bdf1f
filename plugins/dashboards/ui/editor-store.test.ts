/**
 * The dashboard editor's logic without a browser, against the real router and PostgreSQL
 * through the browser's tRPC client: dirty tracking, problems found as you type, saving, the
 * 409 when someone saved a newer version (Reload, Compare, Keep mine) and refused documents.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { bootDataKernel } from "../../data/test-helpers";
import { simpleYaml, workspace } from "../test-helpers";
import { createEditorStore } from "./editor-store";
import { clientAs } from "../../../tests/setup/browser-client";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

/** A new dashboard and an editor store opened on it, as its owner. */
async function openEditor() {
  const w = await workspace(k.kernel);
  const created = await w.caller.dashboards.create({ ...w.at, yaml: simpleYaml("Editor test") });
  const client = clientAs(k.kernel, w.user.id);
  const record = await client.dashboards.get.query({ ...w.at, slug: created.slug });
  const notices: string[] = [];
  const store = createEditorStore({
    record,
    scope: w.at,
    api: { update: (input) => client.dashboards.update.mutate(input), get: (input) => client.dashboards.get.query(input) },
    notify: (title) => notices.push(title),
    checkDelayMs: 1,
  });
  return { ...w, record, store, notices };
}

const checked = (store: ReturnType<typeof createEditorStore>) => vi.waitFor(() => expect(store.checking()).toBe(false), { timeout: 10_000 });

describe("the editor store", () => {
  test("is dirty once the text differs from the saved version, and clean again after Save", async () => {
    const { store, record, caller, at, notices } = await openEditor();
    expect(store.dirty()).toBe(false);
    store.setText(record.yaml.replace("Editor test", "Edited"));
    expect(store.dirty()).toBe(true);
    store.setMessage("  Renamed it  ");
    await store.save();
    expect(store.dirty()).toBe(false);
    expect(store.saved().version).toBe(2);
    expect(store.message()).toBe("");
    expect(notices).toEqual(["Saved version 2"]);
    const history = await caller.dashboards.history({ ...at, slug: record.slug });
    expect(history.versions[0]).toMatchObject({ version: 2, message: "Renamed it" });
  });

  test("checks as you type: a mistake is listed with its line, fixing it clears the list", async () => {
    const { store, record } = await openEditor();
    await checked(store);
    expect(store.errors()).toEqual([]);
    store.setText(record.yaml.replace("type: kpi", "type: kpi\n    colour: red"));
    expect(store.checking()).toBe(true);
    await checked(store);
    expect(store.errors()).toHaveLength(1);
    expect(store.errors()[0]).toMatchObject({ path: "charts.0.colour" });
    expect(store.marks()[0]!.line).toBe(store.errors()[0]!.line);
    store.setText(record.yaml);
    await checked(store);
    expect(store.errors()).toEqual([]);
  });

  test("a refused document is not saved and says why", async () => {
    const { store, caller, at, record } = await openEditor();
    store.setText("title: [unclosed");
    await store.save();
    expect(store.saveError()).toMatch(/^Not saved: /);
    expect(store.dirty()).toBe(true);
    expect((await caller.dashboards.get({ ...at, slug: record.slug })).version).toBe(1);
  });

  test("a save over a newer version is a conflict naming the current version (from the error data)", async () => {
    const { store, record, caller, at } = await openEditor();
    await caller.dashboards.update({ ...at, slug: record.slug, yaml: simpleYaml("Theirs"), version: 1 });
    await caller.dashboards.update({ ...at, slug: record.slug, yaml: simpleYaml("Theirs again"), version: 2 });
    store.setText(simpleYaml("Mine"));
    await store.save();
    expect(store.conflict()).toEqual({ version: 3 });
    expect(store.saveError()).toBeNull();
    expect(store.dirty()).toBe(true);

    // Compare loads theirs beside mine; Keep mine saves on top of theirs.
    await store.compare();
    expect(store.comparing()).toBe(true);
    expect(store.theirs()).toMatchObject({ version: 3, yaml: simpleYaml("Theirs again") });
    await store.keepMine();
    expect(store.conflict()).toBeNull();
    expect(store.comparing()).toBe(false);
    expect(store.saved()).toEqual({ yaml: simpleYaml("Mine"), version: 4 });
    expect((await caller.dashboards.get({ ...at, slug: record.slug })).yaml).toBe(simpleYaml("Mine"));
  });

  test("Reload takes their version and drops mine", async () => {
    const { store, record, caller, at, notices } = await openEditor();
    await caller.dashboards.update({ ...at, slug: record.slug, yaml: simpleYaml("Theirs"), version: 1 });
    const written: string[] = [];
    store.attachEditor({ getValue: () => written.at(-1) ?? record.yaml, setValue: (t) => written.push(t), focus: () => {} });
    store.setText(simpleYaml("Mine"));
    await store.save();
    expect(store.conflict()?.version).toBe(2);
    await store.reload();
    expect(store.conflict()).toBeNull();
    expect(store.text()).toBe(simpleYaml("Theirs"));
    expect(written.at(-1)).toBe(simpleYaml("Theirs"));
    expect(store.saved().version).toBe(2);
    expect(store.dirty()).toBe(false);
    expect(notices).toContain("Reloaded version 2");
  });

  test("leaving on purpose drops the unsaved state", async () => {
    const { store } = await openEditor();
    store.setText(simpleYaml("Unsaved"));
    expect(store.dirty()).toBe(true);
    store.discardChanges();
    expect(store.dirty()).toBe(false);
  });
});
