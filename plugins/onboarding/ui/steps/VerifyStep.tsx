import { createEffect, createSignal, For, Show } from "solid-js";
import type { TaskBoardStore } from "../task-board-store";
import { TaskCard } from "../TaskCard";
import type { WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";
import { isGood, nextCheck } from "./check-chain";
import { TASK_OF } from "./DataStep";

/** The checks that follow the data in, in order: each starts by itself once the one before is good. */
const FOLLOW_UPS = ["schema.introspect", "data.freshness", "query.test"] as const;

/**
 * Step 4: the task board appears. The data task of step 3, then a schema read, a freshness
 * check and a test query on the same source, their badges from stored evidence; each check
 * starts by itself once the one before it is good (./check-chain.ts).
 */
export function VerifyStep(props: { store: WizardStore; tasks: TaskBoardStore }) {
  const data = () => (props.store.session()?.answers.data ?? { choice: "sample" }) as { choice: keyof typeof TASK_OF; sourceId?: string };
  const sourceId = () => (data().choice === "postgres" ? (data().sourceId ?? "warehouse") : "warehouse");
  const ids = (): string[] => [TASK_OF[data().choice], ...FOLLOW_UPS];
  const entries = () => (props.tasks.board()?.tasks ?? []).filter((t) => ids().includes(t.id));
  const good = (id: string) => isGood(entries().find((t) => t.id === id));
  // A signal, not a flag: a start's own look may already show the check finished (a fast job), and
  // the chain must go on when the start ends even though the board does not change again.
  const [starting, setStarting] = createSignal(false);
  createEffect(() => {
    if (!props.tasks.board()?.canManage || props.tasks.busy() !== null || starting()) return;
    const task = nextCheck(ids(), entries(), props.tasks.errors()) as (typeof FOLLOW_UPS)[number] | null;
    if (!task) return;
    setStarting(true);
    // One start at a time: the board's next change (or the end of this start) continues the chain.
    void props.tasks.start(task, { sourceId: sourceId() }).finally(() => setStarting(false));
  });
  const ready = () => ids().every(good);

  return (
    <form
      class="stack"
      onSubmit={(e) => {
        e.preventDefault();
        void props.store.save("verify", {}, "next");
      }}
    >
      <p class="muted">Each check runs in the background; a badge shows what the newest check observed.</p>
      <ul class="cards task-board" aria-label="Setup checks">
        <For each={entries()}>
          {(task) => <TaskCard task={task} store={props.tasks} canManage={props.tasks.board()?.canManage ?? false} reasonId="wizard-read-only" sources={[]} sourceId={sourceId()} />}
        </For>
      </ul>
      <Show when={!ready()}>
        <p id="wizard-verify-wait" class="muted" role="status">
          Continue once every check is OK.
        </p>
      </Show>
      <StepActions busy={props.store.busy()} disabled={!ready()} describedBy={ready() ? undefined : "wizard-verify-wait"} onBack={() => void props.store.save("verify", {}, "back")} />
    </form>
  );
}
