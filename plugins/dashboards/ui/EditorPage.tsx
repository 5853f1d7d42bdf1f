/**
 * The dashboard editor: the YAML in CodeMirror (checked as you type, errors marked on their
 * lines and listed with path and hint), a visual layout editor that rewrites the YAML, and
 * Save with the version it was loaded at. When someone saved a newer version meanwhile the
 * server answers 409: Reload (drop mine) or Compare (theirs beside mine, then keep mine on top
 * of theirs). The assistant reaches the editor through the editor bridge.
 */
import { useBeforeLeave, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { createEffect, createMemo, createSignal, For, lazy, on, onCleanup, Show, Suspense } from "solid-js";
import { BusyLabel, Button, Dialog, Link, Notice } from "~/ui/components";
import { useRegisterEditor } from "~/ui/editor-bridge";
import { useToasts } from "~/ui/toasts";
import { dashboardsApi, problemOf, specErrorsOf, type DashboardRecord, type SpecError } from "./api";
import { WithAssistant } from "./AssistantColumn";
import type { EditorHandle } from "./CodeEditor";
import { LayoutEditor } from "./LayoutEditor";
import type { Current } from "./ProjectFrame";
import { DashboardPage } from "./record";
import { createProposal, ProposalPanel } from "./Proposal";

const CodeEditor = lazy(() => import("./CodeEditor"));
const MergePanel = lazy(() => import("./MergePanel"));

export default function EditorPage(_props: RouteSectionProps) {
  return (
    <DashboardPage loading="Loading the editor…">{(current, record) => <Editor current={current()} record={record()} />}</DashboardPage>
  );
}

function Editor(props: { current: Current; record: DashboardRecord }) {
  const toasts = useToasts();
  const navigate = useNavigate();
  // The editor is seeded once; later loads (reload after a conflict) go through setValue.
  // eslint-disable-next-line solid/reactivity
  const initial = props.record;
  const [text, setText] = createSignal(initial.yaml);
  const [saved, setSaved] = createSignal({ yaml: initial.yaml, version: initial.version });
  const [errors, setErrors] = createSignal<SpecError[]>([]);
  const [checking, setChecking] = createSignal(false);
  const [saving, setSaving] = createSignal(false);
  const [saveError, setSaveError] = createSignal<string | null>(null);
  const [message, setMessage] = createSignal("");
  const [conflict, setConflict] = createSignal<{ version: number | null } | null>(null);
  const [theirs, setTheirs] = createSignal<DashboardRecord | null>(null);
  const [comparing, setComparing] = createSignal(false);
  const dirty = () => text() !== saved().yaml;
  let handle: EditorHandle | undefined;
  const setEditorText = (next: string) => {
    if (handle) handle.setValue(next);
    setText(next);
  };

  const proposal = createProposal();
  useRegisterEditor({
    id: `dashboard:${initial.slug}`,
    language: "yaml",
    label: `Dashboard ${initial.slug}.yaml`,
    getValue: () => text(),
    propose: (next, note) => proposal.open(text(), next, note),
  });
  proposal.onAccept(setEditorText);

  // Check as you type (debounced), with the document module (the same checks as the server).
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checkSeq = 0;
  createEffect(
    on(text, (value) => {
      clearTimeout(timer);
      setChecking(true);
      const mine = ++checkSeq;
      timer = setTimeout(() => {
        void import("../document").then(({ parseDashboard }) => {
          if (mine !== checkSeq) return;
          const parsed = parseDashboard(value);
          setErrors(parsed.ok ? [] : parsed.errors);
          setChecking(false);
        });
      }, 300);
    }),
  );
  onCleanup(() => clearTimeout(timer));

  const marks = createMemo(() => errors().filter((e) => e.line).map((e) => ({ line: e.line!, column: e.column, message: `${e.message}${e.hint ? ` ${e.hint}` : ""}` })));

  // Leaving with unsaved changes asks first.
  useBeforeLeave((event) => {
    if (dirty() && !saving() && !event.defaultPrevented) {
      event.preventDefault();
      if (window.confirm("Leave without saving? Your changes to this dashboard will be lost.")) event.retry(true);
    }
  });

  const save = async (version = saved().version, yaml = text()) => {
    if (saving()) return;
    setSaving(true);
    setSaveError(null);
    try {
      const result = await dashboardsApi.update.mutate({
        ...props.current.scope,
        slug: initial.slug,
        yaml,
        version,
        ...(message().trim() ? { message: message().trim() } : {}),
      });
      setSaved({ yaml, version: result.version });
      setMessage("");
      setConflict(null);
      setComparing(false);
      toasts.success(`Saved version ${result.version}`);
    } catch (error) {
      const problem = problemOf(error);
      if (problem.code === "CONFLICT") {
        const match = /version (\d+)/.exec(problem.message);
        setConflict({ version: match ? Number(match[1]) : null });
      } else if (problem.code === "UNPROCESSABLE_CONTENT" || problem.httpStatus === 422) {
        const found = specErrorsOf(problem);
        if (found.length) setErrors((current) => (current.length ? current : found));
        setSaveError(`Not saved: ${problem.message}`);
      } else {
        setSaveError(`Not saved: ${problem.message}`);
      }
    } finally {
      setSaving(false);
    }
  };

  const loadTheirs = async () => {
    const latest = await dashboardsApi.get.query({ ...props.current.scope, slug: initial.slug });
    setTheirs(latest);
    return latest;
  };
  const reload = async () => {
    try {
      const latest = await loadTheirs();
      setSaved({ yaml: latest.yaml, version: latest.version });
      setEditorText(latest.yaml);
      setConflict(null);
      setComparing(false);
      toasts.success(`Reloaded version ${latest.version}`);
    } catch (error) {
      setSaveError(problemOf(error).message);
    }
  };
  const compare = async () => {
    try {
      await loadTheirs();
      setComparing(true);
    } catch (error) {
      setSaveError(problemOf(error).message);
    }
  };
  const keepMine = () => {
    const latest = theirs();
    if (latest) void save(latest.version);
  };

  const view = () => `${props.current.base}/d/${initial.slug}`;

  return (
    <WithAssistant assistant={{ projectId: props.current.project.id, dashboardSlug: initial.slug, chartId: null, place: "dashboard.edit" }}>
      <div class="stack">
        <Title>Edit {initial.title} · Atrium</Title>
        <header class="page-header dash-header">
          <div>
            <p class="eyebrow">
              <Link href={view()}>{initial.title}</Link>
            </p>
            <h1 class="page-header__title">Edit dashboard</h1>
            <p class="muted">
              Version {saved().version}
              {dirty() ? " · unsaved changes" : ""}
            </p>
          </div>
          <div class="dash-header__actions">
            <Link href={`${view()}/charts/new`} variant="button-secondary">
              Add chart
            </Link>
            <Link href={`${view()}/history`} variant="button-secondary">
              History
            </Link>
            <Button
              onClick={() => {
                if (!dirty() || window.confirm("Leave without saving? Your changes to this dashboard will be lost.")) {
                  setSaved((s) => ({ ...s, yaml: text() }));
                  navigate(view());
                }
              }}
            >
              Close
            </Button>
          </div>
        </header>

        <ProposalPanel proposal={proposal} language="yaml" />

        <div class="dash-split">
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
                initial={initial.yaml}
                labelledBy="yaml-title"
                describedBy="yaml-help yaml-errors"
                marks={marks()}
                onChange={setText}
                onSave={() => void save()}
                onReady={(h) => {
                  handle = h;
                  if (h.getValue() !== text()) h.setValue(text());
                }}
              />
            </Suspense>
            <div id="yaml-errors" role="status" aria-live="polite">
              <Show
                when={errors().length}
                fallback={<p class="muted">{checking() ? "Checking…" : "No problems found."}</p>}
              >
                <p class="field__error">
                  {errors().length} {errors().length === 1 ? "problem" : "problems"}:
                </p>
                <ul class="dash-errors" aria-label="Problems">
                  <For each={errors()}>
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
              <input id="save-message" class="input" value={message()} maxLength={500} onInput={(e) => setMessage(e.currentTarget.value)} />
            </div>
            <div role="alert">
              <Show when={saveError()}>
                <p class="alert alert--error">{saveError()}</p>
              </Show>
            </div>
            <div class="form__actions">
              <Button variant="primary" onClick={() => void save()} disabled={saving() || !dirty()}>
                <BusyLabel busy={saving()} label="Saving…">
                  Save
                </BusyLabel>
              </Button>
              <Show when={!dirty()}>
                <span class="muted">All changes saved.</span>
              </Show>
            </div>
          </section>
          <LayoutEditor yaml={text()} onChange={setEditorText} />
        </div>

        <Dialog
          open={!!conflict()}
          onClose={() => setConflict(null)}
          title="Someone saved a newer version"
          description={
            <p>
              This dashboard changed since you opened it{conflict()?.version ? ` (it is now at version ${conflict()?.version})` : ""}. Reload to take theirs and lose your
              changes, or compare them with yours.
            </p>
          }
        >
          <div class="stack dash-wide">
            <Show when={comparing() && theirs()}>
              {(latest) => (
                <Suspense fallback={<p class="muted">Loading the comparison…</p>}>
                  <MergePanel language="yaml" a={latest().yaml} b={text()} aLabel={`Theirs (version ${latest().version})`} bLabel="Mine (unsaved)" />
                </Suspense>
              )}
            </Show>
            <div class="form__actions">
              <Button variant="danger" onClick={() => void reload()}>
                Reload (lose mine)
              </Button>
              <Show when={!comparing()} fallback={<Button variant="primary" onClick={keepMine} disabled={saving()}>Keep mine as a new version</Button>}>
                <Button variant="primary" onClick={() => void compare()} data-autofocus="">
                  Compare
                </Button>
              </Show>
              <Button onClick={() => setConflict(null)}>Cancel</Button>
            </div>
          </div>
        </Dialog>
        <Show when={props.record.deletedAt}>
          <Notice tone="warning">This dashboard is deleted; restore it from the list to edit it.</Notice>
        </Show>
      </div>
    </WithAssistant>
  );
}
