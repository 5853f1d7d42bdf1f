import { Title } from "@solidjs/meta";
import { For, onMount, Show } from "solid-js";
import { Alert, Badge, Notice } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { formatDateTime } from "~/ui/format";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import { createTaskBoardStore, RUN_TEXT } from "./task-board-store";
import { TaskCard } from "./TaskCard";
import "./onboarding.css";

/** The org's setup task board: badges from stored evidence, runs to start and follow, and the history. */
export default function TaskBoardPage() {
  const org = useCurrentOrg();
  const store = createTaskBoardStore(
    {
      list: (i) => trpc.onboarding.tasks.list.query(i),
      history: (i) => trpc.onboarding.tasks.history.query(i),
      start: (i) => trpc.onboarding.tasks.start.mutate(i),
      cancel: (i) => trpc.onboarding.tasks.cancel.mutate(i),
    },
    () => org().id,
  );
  const [sources] = createBrowserResource(
    () => org().id,
    (orgId) => trpc.data.sources.list.query({ orgId }),
  );
  onMount(() => void store.refresh());
  const reasonId = "task-board-read-only";
  return (
    <div class="stack">
      <Title>Setup tasks · {org().name} · Atrium</Title>
      <header class="page-header">
        <p class="eyebrow">{org().name}</p>
        <h1 class="page-header__title">Setup tasks</h1>
        <p class="page-header__lede">Each check runs in the background. A badge shows what the newest check observed.</p>
      </header>
      <Alert message={store.loadError()} />
      <Show when={store.board()} fallback={<p class="muted">Loading the setup tasks…</p>}>
        {(board) => (
          <>
            <Show when={!board().canManage}>
              <Notice tone="warning">
                <span id={reasonId}>Read-only: {board().readOnlyReason}</span>
              </Notice>
            </Show>
            <ul class="cards task-board" aria-label="Setup tasks">
              <For each={board().tasks}>
                {(task) => (
                  <TaskCard
                    task={task}
                    store={store}
                    canManage={board().canManage}
                    reasonId={reasonId}
                    sources={(sources() ?? []).filter((s) => s.provisioned || !s.builtIn).map((s) => ({ id: s.id, name: s.name }))}
                  />
                )}
              </For>
            </ul>
            <section class="stack" aria-labelledby="run-history">
              <h2 id="run-history" class="toolbar__title">
                History
              </h2>
              <Show when={store.history().length > 0} fallback={<p class="muted">No runs yet.</p>}>
                <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">Task</th>
                      <th scope="col">Status</th>
                      <th scope="col">Outcome</th>
                      <th scope="col">Queued</th>
                    </tr>
                  </thead>
                  <tbody>
                    <For each={store.history()}>
                      {(run) => (
                        <tr>
                          <td>{run.label}</td>
                          <td>
                            <Badge tone={run.status === "succeeded" ? "success" : run.status === "failed" ? "danger" : run.status === "cancelled" ? "neutral" : "accent"}>{RUN_TEXT[run.status]}</Badge>
                          </td>
                          <td>{run.message ?? ""}</td>
                          <td>{formatDateTime(run.createdAt)}</td>
                        </tr>
                      )}
                    </For>
                  </tbody>
                </table>
              </Show>
            </section>
          </>
        )}
      </Show>
    </div>
  );
}
