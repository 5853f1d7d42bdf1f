import { createEffect, For, Show } from "solid-js";
import type { TaskBoardStore } from "../task-board-store";
import { TaskCard } from "../TaskCard";
import type { WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";
import { TASK_OF } from "./DataStep";

/** The checks that follow the data in, in order: each starts by itself once the one before is good. */
const FOLLOW_UPS = ["schema.introspect", "data.freshness", "query.test"] as const;

/**
 * Step 4: the task board appears. The data task of step 3, then a schema read, a freshness
 * check and a test query on the same source, their badges from stored evidence; each check
 * starts by itself once the one before it is good.
 */
export function VerifyStep(props: { store: WizardStore; tasks: TaskBoardStore }) {
  const data = () => (props.store.session()?.answers.data ?? { choice: "sample" }) as { choice: keyof typeof TASK_OF; sourceId?: string };
  const sourceId = () => (data().choice === "postgres" ? (data().sourceId ?? "warehouse") : "warehouse");
  const ids = (): string[] => [TASK_OF[data().choice], ...FOLLOW_UPS];
  const entries = () => (props.tasks.board()?.tasks ?? []).filter((t) => ids().includes(t.id));
  const entry = (id: string) => entries().find((t) => t.id === id);
  const good = (id: string) => {
    const t = entry(id);
    return !!t && !t.activeRun && (t.badge === "ok" || t.badge === "warn");
  };
  const started = new Set<string>();
  createEffect(() => {
    if (!props.tasks.board()?.canManage) return;
    const order = ids();
    for (let i = 1; i < order.length; i++) {
      const task = order[i]!;
      const t = entry(task);
      if (started.has(task) || !good(order[i - 1]!) || !t || t.activeRun) continue;
      started.add(task);
      // Busy with another start: try again at the board's next change.
      void props.tasks.start(task as (typeof FOLLOW_UPS)[number], { sourceId: sourceId() }).then((ok) => ok || started.delete(task));
    }
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
