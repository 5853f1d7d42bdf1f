import { createEffect, For, Show } from "solid-js";
import type { TaskBoardStore } from "../task-board-store";
import { TaskCard } from "../TaskCard";
import type { WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";
import { TASK_OF } from "./DataStep";

/**
 * Step 4: the task board appears. The data task of step 3 and a schema read of the same source,
 * their badges from stored evidence; the schema read starts by itself once the data is in.
 */
export function VerifyStep(props: { store: WizardStore; tasks: TaskBoardStore }) {
  const data = () => (props.store.session()?.answers.data ?? { choice: "sample" }) as { choice: keyof typeof TASK_OF; sourceId?: string };
  const sourceId = () => (data().choice === "postgres" ? (data().sourceId ?? "warehouse") : "warehouse");
  const ids = () => [TASK_OF[data().choice], "schema.introspect"];
  const entries = () => (props.tasks.board()?.tasks ?? []).filter((t) => ids().includes(t.id));
  const entry = (id: string) => entries().find((t) => t.id === id);
  const good = (id: string) => {
    const t = entry(id);
    return !!t && !t.activeRun && (t.badge === "ok" || t.badge === "warn");
  };
  let introspected = false;
  createEffect(() => {
    const schema = entry("schema.introspect");
    if (introspected || !good(TASK_OF[data().choice]) || !schema || schema.activeRun || !props.tasks.board()?.canManage) return;
    introspected = true;
    void props.tasks.start("schema.introspect", { sourceId: sourceId() });
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
