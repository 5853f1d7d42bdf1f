/**
 * The task board store's looks can overlap (the mount's first look, a start's look, the poll):
 * an older answer arriving after a newer one must not put an old board back — that once stopped
 * the poll with a run still queued and left the wizard's step 4 waiting for ever.
 */
import { createRoot } from "solid-js";
import { expect, test } from "vitest";
import { createTaskBoardStore, type TaskBoard, type TaskBoardApi } from "./task-board-store";

function board(activeRun: boolean, tag: string): TaskBoard {
  return {
    canManage: true,
    readOnlyReason: null,
    tasks: [{ id: "sample.load", label: tag, description: "", evidence: null, badge: "unknown", activeRun: activeRun ? ({ id: "r1", status: "queued" } as never) : null, lastRun: null }],
  } as unknown as TaskBoard;
}

/** A list answer the test releases when it wants, to order the answers. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

test("an older look answering last is dropped, and the poll goes on", async () => {
  const answers: Array<ReturnType<typeof deferred<TaskBoard>>> = [];
  let looks = 0;
  const api: TaskBoardApi = {
    list: () => {
      looks++;
      const d = deferred<TaskBoard>();
      answers.push(d);
      return d.promise;
    },
    history: async () => [],
    start: async () => ({ run: {} as never, created: true }),
    cancel: async () => ({}) as never,
  };
  await createRoot(async (dispose) => {
    const store = createTaskBoardStore(api, () => "org", { pollMs: 10 });
    const first = store.refresh(); // asked first, answers last: no run yet
    const second = store.refresh(); // asked second, answers first: the run is queued
    answers[1]!.resolve(board(true, "new"));
    await second;
    answers[0]!.resolve(board(false, "old"));
    await first;
    expect(store.board()!.tasks[0]!.label).toBe("new");
    expect(store.active()).toBe(true);
    // The poll still runs: a third look is asked for.
    await new Promise((r) => setTimeout(r, 50));
    expect(looks).toBeGreaterThanOrEqual(3);
    dispose();
  });
});

test("a look that never answers counts as failed, and the board looks again and recovers", async () => {
  let looks = 0;
  const api: TaskBoardApi = {
    list: () => {
      looks++;
      // The first look hangs for ever (a request lost on the way); the next ones answer.
      return looks === 1 ? new Promise<TaskBoard>(() => {}) : Promise.resolve(board(false, "fresh"));
    },
    history: async () => [],
    start: async () => ({ run: {} as never, created: true }),
    cancel: async () => ({}) as never,
  };
  await createRoot(async (dispose) => {
    const store = createTaskBoardStore(api, () => "org", { pollMs: 10, lookTimeoutMs: 20, retryMs: 10 });
    await store.refresh(); // settles: the hung look times out
    expect(store.loadError()).toMatch(/did not answer in time/);
    expect(store.board()).toBeNull();
    await new Promise((r) => setTimeout(r, 60));
    expect(looks).toBeGreaterThanOrEqual(2);
    expect(store.board()!.tasks[0]!.label).toBe("fresh");
    expect(store.loadError()).toBeNull();
    dispose();
  });
});

test("a start the server never confirms settles with a message under the task, and the board is looked at", async () => {
  let looks = 0;
  const api: TaskBoardApi = {
    list: async () => {
      looks++;
      return board(false, "after");
    },
    history: async () => [],
    start: () => new Promise(() => {}),
    cancel: async () => ({}) as never,
  };
  await createRoot(async (dispose) => {
    const store = createTaskBoardStore(api, () => "org", { pollMs: 10, lookTimeoutMs: 20, retryMs: 10 });
    expect(await store.start("sample.load")).toBe(false);
    expect(store.busy()).toBeNull();
    expect(store.errors()["sample.load"]).toMatch(/did not confirm the start in time/);
    expect(looks).toBe(1);
    dispose();
  });
});
