/** The editor's YAML panel: CodeMirror, the problems found as you type, the version note and Save. */
import { For, lazy, Show, Suspense } from "solid-js";
import { BusyLabel, Button } from "~/ui/components";
import type { EditorStore } from "./editor-store";

const CodeEditor = lazy(() => import("./CodeEditor"));

export function YamlPanel(props: { store: EditorStore; initial: string }) {
  const store = () => props.store;
  return (
    <section class="panel stack" aria-labelledby="yaml-title">
      <h2 id="yaml-title" class="panel__title">
        Dashboard YAML
      </h2>
      <p id="yaml-help" class="muted">
        Checked as you type. Ctrl+S (⌘+S) saves; Tab indents, Escape then Tab leaves the editor.
      </p>
      <Suspense fallback={<p class="muted">Loading the editor…</p>}>
        <CodeEditor
          language="yaml"
          initial={props.initial}
          labelledBy="yaml-title"
          describedBy="yaml-help yaml-errors"
          marks={store().marks()}
          onChange={(value) => store().setText(value)}
          onSave={() => void store().save()}
          onReady={(handle) => store().attachEditor(handle)}
        />
      </Suspense>
      <div id="yaml-errors" role="status" aria-live="polite">
        <Show when={store().errors().length} fallback={<p class="muted">{store().checking() ? "Checking…" : "No problems found."}</p>}>
          <p class="field__error">
            {store().errors().length} {store().errors().length === 1 ? "problem" : "problems"}:
          </p>
          <ul class="dash-errors" aria-label="Problems">
            <For each={store().errors()}>
              {(e) => (
                <li>
                  <Show when={e.line}>Line {e.line}: </Show>
                  <Show when={e.path}>
                    <code>{e.path}</code>:{" "}
                  </Show>
                  {e.message}
                  <Show when={e.hint}> {e.hint}</Show>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
      <div class="field">
        <label class="field__label" for="save-message">
          Note for this version (optional)
        </label>
        <input id="save-message" class="input" value={store().message()} maxLength={500} onInput={(e) => store().setMessage(e.currentTarget.value)} />
      </div>
      <div role="alert">
        <Show when={store().saveError()}>
          <p class="alert alert--error">{store().saveError()}</p>
        </Show>
      </div>
      <div class="form__actions">
        <Button variant="primary" onClick={() => void store().save()} disabled={store().saving() || !store().dirty()}>
          <BusyLabel busy={store().saving()} label="Saving…">
            Save
          </BusyLabel>
        </Button>
        <Show when={!store().dirty()}>
          <span class="muted">All changes saved.</span>
        </Show>
      </div>
    </section>
  );
}
