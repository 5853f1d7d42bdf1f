/**
 * Loading the warehouse: upload a CSV file into a table (replace or append), following the
 * server's progress events, then a summary with the bad rows by line; and the sample dataset.
 */
import { createSignal, For, Show } from "solid-js";
import { Alert, BusyLabel, Button, createForm, FormAlert, Notice, SubmitButton, TextField } from "~/ui/components";
import type { RouterOutputs } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";

type ImportResult = RouterOutputs["data"]["importCsv"];
type SampleResult = RouterOutputs["data"]["loadSample"];

const numberFormat = new Intl.NumberFormat("en");

/** A table name suggested from a file name: `Sales 2024.csv` → `sales_2024`. */
function tableNameOf(fileName: string): string {
  const base = fileName
    .replace(/\.[^.]*$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, "_")
    .replace(/^_+|_+$/g, "");
  const name = /^[a-z_]/.test(base) ? base : `t_${base}`;
  return name.slice(0, 63) || "upload";
}

export function WarehouseLoadSection(props: { orgId: string; onChanged: () => void }) {
  return (
    <section class="panel" aria-labelledby="data-load-title">
      <header class="settings-section__header">
        <div>
          <h2 id="data-load-title" class="settings-section__title">
            Add data to the warehouse
          </h2>
          <p class="settings-section__lede">Upload a CSV file (the first line names the columns), or load the sample dataset to explore.</p>
        </div>
      </header>
      <div class="stack">
        <UploadCsv orgId={props.orgId} onChanged={props.onChanged} />
        <LoadSample orgId={props.orgId} onChanged={props.onChanged} />
      </div>
    </section>
  );
}

function UploadCsv(props: { orgId: string; onChanged: () => void }) {
  const [progress, setProgress] = createSignal<{ bytes: number; total: number; rows: number; rejected: number } | null>(null);
  const [result, setResult] = createSignal<ImportResult | null>(null);
  let tableInput: HTMLInputElement | undefined;

  const form = createForm({
    validate: (data) => {
      const file = data.get("file");
      if (!(file instanceof File) || !file.name) return { file: "Choose a CSV file" };
      return null;
    },
    action: async (data) => {
      setResult(null);
      const file = data.get("file") as File;
      const csv = await file.text();
      const importId = crypto.randomUUID();
      setProgress({ bytes: 0, total: file.size, rows: 0, rejected: 0 });
      const subscription = trpc.data.onImportProgress.subscribe(
        { orgId: props.orgId, importId },
        {
          onData: (event) => setProgress({ bytes: event.bytes, total: file.size, rows: event.rows, rejected: event.rejected }),
          // Progress is a nicety: the upload's own answer says how it went.
          onError: () => {},
        },
      );
      try {
        const imported = await trpc.data.importCsv.mutate({
          orgId: props.orgId,
          table: String(data.get("table") ?? "").trim(),
          csv,
          mode: data.get("mode") === "append" ? "append" : "replace",
          importId,
        });
        setResult(imported);
        props.onChanged();
      } finally {
        subscription.unsubscribe();
        setProgress(null);
      }
    },
  });

  const percent = () => {
    const p = progress();
    return p && p.total ? Math.min(100, Math.round((p.bytes / p.total) * 100)) : 0;
  };

  return (
    <form class="form form--grid" onSubmit={(e) => form.onSubmit(e)} aria-labelledby="upload-title" novalidate>
      <h3 id="upload-title" class="subheading form--grid__wide">
        Upload a CSV file
      </h3>
      <TextField
        form={form}
        name="file"
        type="file"
        label="CSV file"
        accept=".csv,text/csv,text/plain"
        required="Choose a CSV file"
        onChange={(event) => {
          const file = event.currentTarget.files?.[0];
          if (file && tableInput && !tableInput.value) tableInput.value = tableNameOf(file.name);
        }}
      />
      <TextField
        form={form}
        name="table"
        label="Table"
        hint="Lowercase letters, digits and _; created in the warehouse's public schema."
        required="Name the table"
        class="input--mono"
        autocomplete="off"
        ref={(el: HTMLInputElement) => (tableInput = el)}
      />
      <fieldset class="field form--grid__wide">
        <legend class="field__label">If the table exists</legend>
        <label class="check">
          <input type="radio" name="mode" value="replace" checked />
          <span class="check__label">Replace its rows</span>
        </label>
        <label class="check">
          <input type="radio" name="mode" value="append" />
          <span class="check__label">Append to it (values must fit its columns)</span>
        </label>
      </fieldset>
      <div class="form--grid__wide stack">
        <Show when={progress()}>
          {(p) => (
            <div>
              <label for="upload-progress" class="field__label">
                Importing: {numberFormat.format(p().rows)} rows so far
                {p().rejected ? `, ${numberFormat.format(p().rejected)} bad` : ""}
              </label>
              <progress id="upload-progress" max="100" value={percent()} style={{ width: "100%" }}>
                {percent()}%
              </progress>
            </div>
          )}
        </Show>
        <FormAlert form={form} />
        <Show when={result()}>{(r) => <ImportSummary result={r()} />}</Show>
      </div>
      <div class="form__actions form--grid__wide">
        <SubmitButton form={form} pendingLabel="Uploading…">
          Upload
        </SubmitButton>
      </div>
    </form>
  );
}

function ImportSummary(props: { result: ImportResult }) {
  return (
    <Notice tone={props.result.rowsRejected ? "warning" : "success"} title={`Imported ${numberFormat.format(props.result.rowsImported)} rows into ${props.result.table}`}>
      <p>
        {props.result.mode === "replace" ? (props.result.created ? "New table" : "Rows replaced") : "Rows appended"} in {Math.round(props.result.elapsedMs)} ms.{" "}
        {props.result.rowsRejected ? `${numberFormat.format(props.result.rowsRejected)} bad rows were skipped:` : "No bad rows."}
      </p>
      <Show when={props.result.errors.length}>
        <ul aria-label="Bad rows">
          <For each={props.result.errors}>
            {(error) => (
              <li>
                Line {error.line}: {error.message}
              </li>
            )}
          </For>
        </ul>
        <Show when={props.result.rowsRejected > props.result.errors.length}>
          <p>…and {numberFormat.format(props.result.rowsRejected - props.result.errors.length)} more.</p>
        </Show>
      </Show>
      <p class="muted">Columns: {props.result.columns.map((c) => `${c.name} (${c.type})`).join(", ")}</p>
    </Notice>
  );
}

function LoadSample(props: { orgId: string; onChanged: () => void }) {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [loaded, setLoaded] = createSignal<SampleResult | null>(null);
  const load = async () => {
    if (pending()) return;
    setPending(true);
    setError(null);
    try {
      setLoaded(await trpc.data.loadSample.mutate({ orgId: props.orgId }));
      props.onChanged();
    } catch (err) {
      setError(problemOf(err).message);
    } finally {
      setPending(false);
    }
  };
  return (
    <div class="stack" aria-labelledby="sample-title" role="group">
      <h3 id="sample-title" class="subheading">
        Sample data
      </h3>
      <p class="muted">Customers, products, orders, order items and events (about 200,000 rows) in the schema “sample”. Loading again resets them.</p>
      <div>
        <Button variant="secondary" disabled={pending()} aria-busy={pending()} onClick={() => void load()}>
          <BusyLabel busy={pending()} label="Loading sample data…">
            Load sample data
          </BusyLabel>
        </Button>
      </div>
      <Alert message={error()} />
      <Show when={loaded()}>
        {(r) => (
          <Notice tone="success" title={`Loaded ${numberFormat.format(r().totalRows)} rows into “${r().schema}” in ${(r().elapsedMs / 1000).toFixed(1)} s`}>
            <ul aria-label="Sample tables">
              <For each={r().tables}>
                {(t) => (
                  <li>
                    <span class="mono">{t.name}</span>
                    : {numberFormat.format(t.rows)} rows
                  </li>
                )}
              </For>
            </ul>
          </Notice>
        )}
      </Show>
    </div>
  );
}
