import { createSignal, For, Show } from "solid-js";
import { Alert, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";
import { MAX_TASK_CSV } from "../../catalog";
import type { TaskBoardStore } from "../task-board-store";
import type { WizardStore } from "../wizard-store";
import { StepActions } from "./StepActions";

type Choice = "sample" | "csv" | "postgres";
/** The task each choice starts. */
export const TASK_OF = { sample: "sample.load", csv: "data.import", postgres: "connection.verify" } as const;
type DataAnswers = { choice?: Choice; table?: string; sourceId?: string };

/** Step 3: load the sample, upload a CSV file, or pick a connected PostgreSQL database; the task is queued and followed on the next step. */
export function DataStep(props: { store: WizardStore; tasks: TaskBoardStore }) {
  const org = useCurrentOrg();
  const saved = () => (props.store.session()?.answers.data ?? {}) as DataAnswers;
  const [choice, setChoice] = createSignal<Choice>(saved().choice ?? "sample");
  const [table, setTable] = createSignal(saved().table ?? "");
  const [file, setFile] = createSignal<File | null>(null);
  const [sourceId, setSourceId] = createSignal(saved().sourceId ?? "");
  const [sources] = createBrowserResource(
    () => org().id,
    async (orgId) => (await trpc.data.sources.list.query({ orgId })).filter((s) => !s.builtIn),
  );
  const answers = (): DataAnswers => ({ choice: choice(), ...(choice() === "csv" && table() ? { table: table() } : {}), ...(choice() === "postgres" && sourceId() ? { sourceId: sourceId() } : {}) });

  const submit = async (event: SubmitEvent) => {
    event.preventDefault();
    if (choice() === "csv") {
      const f = file();
      if (!f) return props.store.setError("Choose a CSV file to upload.");
      if (f.size > MAX_TASK_CSV) return props.store.setError(`The file is larger than ${MAX_TASK_CSV / 1_000_000} MB; use a project's Data page for larger files.`);
      if (!(await props.tasks.start("data.import", { table: table().trim(), csv: await f.text() }))) return;
    } else if (choice() === "postgres") {
      if (!sourceId()) return props.store.setError("Choose a connected database, or add one on a project's Data page first.");
      if (!(await props.tasks.start("connection.verify", { sourceId: sourceId() }))) return;
    } else if (!(await props.tasks.start("sample.load", {}))) return;
    await props.store.save("data", answers(), "next");
  };

  const option = (value: Choice, label: string, hint: string) => (
    <label class="wizard__choice">
      <input type="radio" name="data-choice" value={value} checked={choice() === value} onChange={() => setChoice(value)} />
      <span>
        <strong>{label}</strong>
        <span class="muted"> — {hint}</span>
      </span>
    </label>
  );

  return (
    <form class="stack" onSubmit={(e) => void submit(e)} onInput={() => props.store.touch()}>
      <fieldset class="stack">
        <legend class="field__label">Where does your data come from?</legend>
        {option("sample", "The sample shop", "customers, products, orders and events, ready to chart")}
        {option("csv", "A CSV file", "uploaded into a table of your warehouse")}
        {option("postgres", "A PostgreSQL database", "one you connected on a project's Data page")}
      </fieldset>
      <Show when={choice() === "csv"}>
        <label class="field">
          <span class="field__label">CSV file</span>
          <input class="input" type="file" accept=".csv,text/csv" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
        </label>
        <label class="field">
          <span class="field__label">Table name</span>
          <input class="input" name="table" required value={table()} onInput={(e) => setTable(e.currentTarget.value)} />
        </label>
      </Show>
      <Show when={choice() === "postgres"}>
        <Show when={(sources() ?? []).length > 0} fallback={<p class="muted">No database is connected yet. Add one on a project's Data page, then come back.</p>}>
          <label class="field">
            <span class="field__label">Database</span>
            <select class="input select" value={sourceId()} onChange={(e) => setSourceId(e.currentTarget.value)}>
              <option value="" disabled selected={!sourceId()}>
                Choose…
              </option>
              <For each={sources()}>{(s) => <option value={s.id} selected={s.id === sourceId()}>{s.name}</option>}</For>
            </select>
          </label>
        </Show>
        <Link href={`/o/${org().slug}`}>Go to your projects</Link>
      </Show>
      <Alert message={props.tasks.errors()[TASK_OF[choice()]]} />
      <StepActions busy={props.store.busy() || props.tasks.busy() !== null} label="Connect and continue" onBack={() => void props.store.save("data", answers(), "back")} />
    </form>
  );
}
