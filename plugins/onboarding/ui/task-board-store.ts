/**
 * The task board's logic, kept out of the JSX: load the board, start and cancel runs (each start
 * re-checked on the server), follow active runs by polling until they finish, and say what went
 * wrong where it happened (per task).
 */
import { createSignal, onCleanup } from "solid-js";
import type { RouterInputs, RouterOutputs } from "~/ui/data";
import { problemOf } from "~/ui/problems";

export type TaskBoard = RouterOutputs["onboarding"]["tasks"]["list"];
export type TaskEntry = TaskBoard["tasks"][number];
export type TaskRun = RouterOutputs["onboarding"]["tasks"]["history"][number];
type StartInput = RouterInputs["onboarding"]["tasks"]["start"];

export interface TaskBoardApi {
  list(input: { orgId: string }): Promise<TaskBoard>;
  history(input: { orgId: string; limit: number }): Promise<TaskRun[]>;
  start(input: StartInput): Promise<{ run: TaskRun; created: boolean }>;
  cancel(input: { orgId: string; runId: string }): Promise<TaskRun>;
}

/** How often the board looks again while a run is queued or running. */
export const POLL_MS = 1_000;
/** A look that has not answered by then counts as failed (and is tried again): a stuck request must not freeze the board. */
export const LOOK_TIMEOUT_MS = 15_000;
/** After a failed look, the next one comes this much later, whether or not a run is active. */
export const RETRY_MS = 3_000;

export function createTaskBoardStore(api: TaskBoardApi, orgId: () => string, options: { pollMs?: number; lookTimeoutMs?: number; retryMs?: number } = {}) {
  const [board, setBoard] = createSignal<TaskBoard | null>(null);
  const [history, setHistory] = createSignal<TaskRun[]>([]);
  const [loadError, setLoadError] = createSignal<string | null>(null);
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal<string | null>(null);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;

  const active = () => board()?.tasks.some((t) => t.activeRun) ?? false;

  /** The newest look asked for: an older answer arriving after it is stale and dropped. */
  let latest = 0;

  async function refresh(): Promise<void> {
    const look = ++latest;
    let failed = false;
    try {
      const [b, h] = await withTimeout(Promise.all([api.list({ orgId: orgId() }), api.history({ orgId: orgId(), limit: 20 })]), options.lookTimeoutMs ?? LOOK_TIMEOUT_MS);
      if (look !== latest) return; // a newer look is on its way; it schedules the next one
      setBoard(b);
      setHistory(h);
      setLoadError(null);
    } catch (err) {
      if (look !== latest) return;
      setLoadError(messageOf(err));
      failed = true;
    }
    schedule(failed);
  }

  /** The next look: soon while a run is active, later after a failed look, else none. */
  function schedule(retry = false): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (stopped) return;
    if (retry) timer = setTimeout(() => void refresh(), options.retryMs ?? RETRY_MS);
    else if (active()) timer = setTimeout(() => void refresh(), options.pollMs ?? POLL_MS);
  }

  function setError(task: string, message: string | null): void {
    setErrors((all) => {
      const next = { ...all };
      if (message) next[task] = message;
      else delete next[task];
      return next;
    });
  }

  /** Starts a task (or gets its active run back); false when the server refused, the reason under the task. */
  async function start(task: StartInput["task"], params: Record<string, unknown> = {}): Promise<boolean> {
    if (busy()) return false;
    setBusy(task);
    setError(task, null);
    let ok = true;
    try {
      await withTimeout(api.start({ orgId: orgId(), task, params, idempotent: true }), 2 * (options.lookTimeoutMs ?? LOOK_TIMEOUT_MS), "The server did not confirm the start in time; the board shows whether it began.");
    } catch (err) {
      setError(task, messageOf(err));
      ok = false;
    } finally {
      setBusy(null);
    }
    await refresh();
    return ok;
  }

  async function cancel(task: string, runId: string): Promise<void> {
    if (busy()) return;
    setBusy(task);
    setError(task, null);
    try {
      await withTimeout(api.cancel({ orgId: orgId(), runId }), 2 * (options.lookTimeoutMs ?? LOOK_TIMEOUT_MS), "The server did not confirm the cancel in time; the board shows whether it stopped.");
    } catch (err) {
      setError(task, messageOf(err));
    } finally {
      setBusy(null);
    }
    await refresh();
  }

  function dispose(): void {
    stopped = true;
    if (timer) clearTimeout(timer);
  }
  onCleanup(dispose);

  return { board, history, loadError, errors, busy, active, refresh, start, cancel, dispose };
}

export type TaskBoardStore = ReturnType<typeof createTaskBoardStore>;

/** A call that did not answer in time (it may still have been done on the server). */
class LateAnswer extends Error {}

function messageOf(err: unknown): string {
  return err instanceof LateAnswer ? err.message : problemOf(err).message;
}

/** `promise`, or a rejection with `message` when `ms` pass first. */
function withTimeout<T>(promise: Promise<T>, ms: number, message = "The task board did not answer in time; trying again."): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LateAnswer(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

export const BADGE_TEXT = { ok: "OK", warn: "Warning", fail: "Failed", unknown: "Unknown" } as const;
export const BADGE_TONE = { ok: "success", warn: "warning", fail: "danger", unknown: "neutral" } as const;
export const RUN_TEXT = { queued: "Queued", running: "Running", succeeded: "Succeeded", failed: "Failed", cancelled: "Cancelled" } as const;
