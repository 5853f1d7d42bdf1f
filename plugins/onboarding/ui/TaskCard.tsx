import { createSignal, For, Show } from "solid-js";
import { Alert, Badge, Button } from "~/ui/components";
import { formatDateTime } from "~/ui/format";
import { BADGE_TEXT, BADGE_TONE, RUN_TEXT, type TaskBoardStore, type TaskEntry } from "./task-board-store";

/** Tasks that work on one data source: the card offers a choice of source. */
const PER_SOURCE = new Set(["connection.verify", "schema.introspect", "data.freshness", "query.test"]);

/** One task of the board: its badge from stored evidence, its active run, and its controls. */
export function TaskCard(props: { task: TaskEntry; store: TaskBoardStore; canManage: boolean; reasonId: string; sources: Array<{ id: string; name: string }>; sourceId?: string }) {
  // eslint-disable-next-line solid/reactivity -- the first choice only
  const [sourceId, setSourceId] = createSignal(props.sourceId ?? "warehouse");
  const id = () => `task-${props.task.id.replace(".", "-")}`;
  const needsUpload = () => props.task.id === "data.import";
  const disabledWhy = () => (!props.canManage ? props.reasonId : needsUpload() ? `${id()}-upload` : undefined);
  const start = () => void props.store.start(props.task.id, PER_SOURCE.has(props.task.id) ? { sourceId: sourceId() } : {});
  return (
    <li class="card task-card" aria-labelledby={`${id()}-title`}>
      <div class="card__head">
        <h3 id={`${id()}-title`}>
          {props.task.label}
        </h3>
        <Badge tone={BADGE_TONE[props.task.badge]} title={props.task.evidence ? `Observed ${formatDateTime(props.task.evidence.observedAt)}` : "No evidence yet"}>
          {BADGE_TEXT[props.task.badge]}
        </Badge>
      </div>
      <p class="card__text">{props.task.description}</p>
      <Show when={props.task.evidence} fallback={<p class="card__meta">Not checked yet.</p>}>
        {(evidence) => (
          <p class="card__meta">
            {evidence().message} <span class="muted">({evidence().reasonCode}, {formatDateTime(evidence().observedAt)})</span>
          </p>
        )}
      </Show>
      <Show when={props.task.activeRun}>
        {(run) => (
          <p class="card__meta" role="status">
            <strong>{RUN_TEXT[run().status]}</strong>
            <Show when={run().attempts > 0}> · attempt {run().attempts}</Show>
            <Show when={run().status === "queued" && run().reasonCode}> · retrying after: {run().message}</Show>
          </p>
        )}
      </Show>
      <div class="task-card__actions">
        <Show when={PER_SOURCE.has(props.task.id) && props.sources.length > 1}>
          <label class="field">
            <span class="field__label">Source</span>
            <select class="input select" value={sourceId()} onChange={(e) => setSourceId(e.currentTarget.value)} disabled={!props.canManage}>
              <For each={props.sources}>{(s) => <option value={s.id}>{s.name}</option>}</For>
            </select>
          </label>
        </Show>
        <Show
          when={props.task.activeRun}
          fallback={
            <Button onClick={start} disabled={!props.canManage || needsUpload() || props.store.busy() !== null} aria-describedby={disabledWhy()}>
              {props.store.busy() === props.task.id ? "Starting…" : `Start: ${props.task.label}`}
            </Button>
          }
        >
          {(run) => (
            <Button onClick={() => void props.store.cancel(props.task.id, run().id)} disabled={!props.canManage || props.store.busy() !== null} aria-describedby={disabledWhy()}>
              Cancel
            </Button>
          )}
        </Show>
        <Show when={needsUpload()}>
          <p id={`${id()}-upload`} class="muted">
            Upload a CSV file in the setup wizard or on a project's Data page.
          </p>
        </Show>
      </div>
      <Alert message={props.store.errors()[props.task.id]} />
    </li>
  );
}
