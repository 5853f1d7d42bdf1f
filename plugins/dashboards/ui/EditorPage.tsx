/**
 * The dashboard editor: the YAML in CodeMirror (checked as you type, errors marked on their
 * lines and listed with path and hint), a visual layout editor that rewrites the YAML, and
 * Save with the version it was loaded at. When someone saved a newer version meanwhile the
 * server answers 409: Reload (drop mine) or Compare (theirs beside mine, then keep mine on top
 * of theirs). The assistant reaches the editor through the editor bridge. The state lives in
 * `editor-store.ts`; this file lays it out.
 */
import { useBeforeLeave, useNavigate, type RouteSectionProps } from "@solidjs/router";
import { Title } from "@solidjs/meta";
import { lazy, onCleanup, Show, Suspense } from "solid-js";
import { Button, Dialog, Link, Notice } from "~/ui/components";
import { Slot } from "~/ui/Slot";
import { useRegisterEditor } from "~/ui/editor-bridge";
import { useToasts } from "~/ui/toasts";
import { dashboardsApi, type DashboardRecord } from "./api";
import { WithAssistant } from "./AssistantColumn";
import { createEditorStore, type EditorStore } from "./editor-store";
import { LayoutEditor } from "./LayoutEditor";
import type { Current } from "./ProjectFrame";
import { createProposal, ProposalPanel } from "./Proposal";
import { DashboardPage } from "./record";
import { YamlPanel } from "./YamlPanel";

const MergePanel = lazy(() => import("./MergePanel"));

const LEAVE_QUESTION = "Leave without saving? Your changes to this dashboard will be lost.";

export default function EditorPage(_props: RouteSectionProps) {
  return (
    <DashboardPage loading="Loading the editor…">{(current, record) => <Editor current={current()} record={record()} />}</DashboardPage>
  );
}

function Editor(props: { current: Current; record: DashboardRecord }) {
  const toasts = useToasts();
  const navigate = useNavigate();
  // The editor is seeded once; later loads (reload after a conflict) go through the store.
  // eslint-disable-next-line solid/reactivity
  const initial = props.record;
  const store = createEditorStore({
    record: initial,
    // eslint-disable-next-line solid/reactivity
    scope: props.current.scope,
    api: { update: (input) => dashboardsApi.update.mutate(input), get: (input) => dashboardsApi.get.query(input) },
    notify: (title) => toasts.success(title),
  });
  onCleanup(store.dispose);

  const proposal = createProposal();
  useRegisterEditor({
    id: `dashboard:${initial.slug}`,
    language: "yaml",
    label: `Dashboard ${initial.slug}.yaml`,
    getValue: () => store.text(),
    propose: (next, note) => proposal.open(store.text(), next, note),
  });
  proposal.onAccept(store.replaceText);

  // Leaving with unsaved changes asks first.
  useBeforeLeave((event) => {
    if (store.dirty() && !store.saving() && !event.defaultPrevented) {
      event.preventDefault();
      if (window.confirm(LEAVE_QUESTION)) event.retry(true);
    }
  });

  const view = () => `${props.current.base}/d/${initial.slug}`;
  const close = () => {
    if (!store.dirty() || window.confirm(LEAVE_QUESTION)) {
      store.discardChanges();
      navigate(view());
    }
  };

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
              Version {store.saved().version}
              {store.dirty() ? " · unsaved changes" : ""}
              {store.readOnly() ? " · read-only" : ""}
            </p>
          </div>
          <div class="dash-header__actions">
            <Link href={`${view()}/charts/new`} variant="button-secondary">
              Add chart
            </Link>
            <Link href={`${view()}/history`} variant="button-secondary">
              History
            </Link>
            <Button onClick={close}>Close</Button>
          </div>
        </header>

        <Slot name="dashboard.editor.session" props={{ dashboardSlug: initial.slug, editor: store.session }} />
        <ProposalPanel proposal={proposal} language="yaml" />

        {/* Read-only while someone else holds the edit lease: nothing in it takes focus or input. */}
        <div class="dash-split" inert={store.readOnly()}>
          <YamlPanel store={store} initial={initial.yaml} />
          <LayoutEditor yaml={store.text()} onChange={store.replaceText} />
        </div>

        <ConflictDialog store={store} />
        <Show when={props.record.deletedAt}>
          <Notice tone="warning">This dashboard is deleted; restore it from the list to edit it.</Notice>
        </Show>
      </div>
    </WithAssistant>
  );
}

/** Someone saved a newer version: reload theirs, or compare and keep mine on top. */
function ConflictDialog(props: { store: EditorStore }) {
  const store = () => props.store;
  return (
    <Dialog
      open={!!store().conflict()}
      onClose={store().dismissConflict}
      title="Someone saved a newer version"
      description={
        <p>
          This dashboard changed since you opened it{store().conflict()?.version ? ` (it is now at version ${store().conflict()?.version})` : ""}. Reload to take theirs and lose your
          changes, or compare them with yours.
        </p>
      }
    >
      <div class="stack dash-wide">
        <Slot name="dashboard.editor.conflict" props={{ dashboardSlug: store().slug, editedVersion: store().saved().version, currentVersion: store().conflict()?.version ?? null }} />
        <Show when={store().comparing() && store().theirs()}>
          {(latest) => (
            <Suspense fallback={<p class="muted">Loading the comparison…</p>}>
              <MergePanel language="yaml" a={latest().yaml} b={store().text()} aLabel={`Theirs (version ${latest().version})`} bLabel="Mine (unsaved)" />
            </Suspense>
          )}
        </Show>
        <div class="form__actions">
          <Button variant="danger" onClick={() => void store().reload()}>
            Reload (lose mine)
          </Button>
          <Show
            when={!store().comparing()}
            fallback={
              <Button variant="primary" onClick={() => void store().keepMine()} disabled={store().saving()}>
                Keep mine as a new version
              </Button>
            }
          >
            <Button variant="primary" onClick={() => void store().compare()} data-autofocus="">
              Compare
            </Button>
          </Show>
          <Button onClick={store().dismissConflict}>Cancel</Button>
        </div>
      </div>
    </Dialog>
  );
}
