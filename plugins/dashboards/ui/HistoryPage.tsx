/**
 * A dashboard's versions, newest first, with author, time and note; pick one to see what
 * differs from the current version, and restore it (a new version with its content).
 */
import { Title } from "@solidjs/meta";
import { type RouteSectionProps } from "@solidjs/router";
import { diffLines } from "diff";
import { createMemo, createSignal, For, Match, Show, Suspense, Switch } from "solid-js";
import { Slot } from "~/ui/Slot";
import { Alert, BusyLabel, Button, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { createPagedList, showMore } from "~/ui/paged";
import { formatDateTime, formatRelative, isoOf } from "~/ui/format";
import { LoadFailed } from "~/ui/LoadStates";
import { useCapabilities } from "~/ui/Slot";
import { useToasts } from "~/ui/toasts";
import { dashboardsApi, problemOf, type DashboardRecord } from "./api";
import type { Current } from "./ProjectFrame";
import { DashboardPage } from "./record";

export default function HistoryPage(_props: RouteSectionProps) {
  return (
    <DashboardPage loading="Loading history…">{(current, record, refetch) => <History current={current()} record={record()} onRestored={refetch} />}</DashboardPage>
  );
}

function History(props: { current: Current; record: DashboardRecord; onRestored: () => void }) {
  const toasts = useToasts();
  const capabilities = useCapabilities();
  const canEdit = () => capabilities().has("dashboard.edit");
  const [selected, setSelected] = createSignal<number | null>(null);
  const [restoring, setRestoring] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  // A page of versions at a time ("Show older versions"); a new version (a restore, a save
  // elsewhere) reads the first page again.
  const history = createPagedList(
    () => ({ ...props.current.scope, slug: props.record.slug, at: props.record.version }),
    async ({ at: _at, ...input }, cursor) => {
      const page = await dashboardsApi.history.query({ ...input, cursor });
      return { items: page.versions, nextCursor: page.nextCursor };
    },
  );
  const refetch = history.refetch;
  const [moreError, setMoreError] = createSignal<string | null>(null);

  const [older] = createBrowserResource(
    () => {
      const version = selected();
      return version === null ? false : { ...props.current.scope, slug: props.record.slug, version };
    },
    (input) => dashboardsApi.version.query(input),
  );
  const diff = createMemo(() => {
    const old = older.latest;
    if (!old || old.version !== selected()) return null;
    return diffLines(old.yaml, props.record.yaml);
  });
  const restore = async () => {
    const version = selected();
    if (version === null || restoring()) return;
    setRestoring(true);
    setError(null);
    try {
      const result = await dashboardsApi.restoreVersion.mutate({ ...props.current.scope, slug: props.record.slug, version, currentVersion: props.record.version });
      toasts.success(`Restored version ${version}`, `Saved as version ${result.version}.`);
      setSelected(null);
      props.onRestored();
      await refetch();
    } catch (err) {
      setError(problemOf(err).message);
    } finally {
      setRestoring(false);
    }
  };
  const view = () => `${props.current.base}/d/${props.record.slug}`;

  return (
    <div class="stack">
      <Title>History of {props.record.title} · Atrium</Title>
      <header class="page-header dash-header">
        <div>
          <p class="eyebrow">
            <Link href={view()}>{props.record.title}</Link>
          </p>
          <h1 class="page-header__title">History</h1>
          <p class="muted">Current version: {props.record.version}</p>
        </div>
      </header>
      <div class="dash-split">
        <section class="panel" aria-labelledby="versions-title">
          <h2 id="versions-title" class="panel__title">
            Versions
          </h2>
          <Switch fallback={<p class="muted">Loading versions…</p>}>
            <Match when={history.first.error as unknown}>
              <LoadFailed what="the history" problem={problemOf(history.first.error)} onRetry={() => void refetch()} />
            </Match>
            <Match when={history.first.latest}>
              <ul class="rows" aria-label="Versions">
                <For each={history.items()}>
                  {(v) => (
                    <li class="row">
                      <div class="row__main">
                        <p class="row__title">
                          Version {v.version}
                          {v.version === props.record.version ? " (current)" : ""}
                        </p>
                        <p class="row__meta">
                          <time datetime={isoOf(v.createdAt)} title={formatDateTime(v.createdAt)}>
                            {formatRelative(v.createdAt)}
                          </time>
                          {v.author ? ` by ${v.author.name}` : ""}
                        </p>
                        <Suspense>
                          <Slot name="dashboard.history.version" props={{ version: v.version, current: v.version === props.record.version }} />
                        </Suspense>
                        <Show when={v.message}>
                          <p>{v.message}</p>
                        </Show>
                      </div>
                      <Show when={v.version !== props.record.version}>
                        <Button
                          class="btn--compact"
                          aria-pressed={selected() === v.version}
                          aria-label={`Compare version ${v.version} with the current one`}
                          onClick={() => setSelected(v.version)}
                        >
                          Compare
                        </Button>
                      </Show>
                    </li>
                  )}
                </For>
              </ul>
              <Alert message={moreError()} />
              <Show when={history.hasMore()}>
                <Button variant="secondary" disabled={history.loadingMore()} onClick={() => void showMore(history, setMoreError)}>
                  {history.loadingMore() ? "Loading…" : "Show older versions"}
                </Button>
              </Show>
            </Match>
          </Switch>
        </section>
        <section class="panel stack" aria-labelledby="diff-title" aria-live="polite">
          <h2 id="diff-title" class="panel__title">
            {selected() === null ? "Changes" : `Version ${selected()} → current (${props.record.version})`}
          </h2>
          <Show when={selected() !== null} fallback={<p class="muted">Pick a version to see what changed since.</p>}>
            <Show when={older.error}>
              <LoadFailed what="that version" problem={problemOf(older.error)} onRetry={() => setSelected(selected())} />
            </Show>
            <Show when={diff()} fallback={<p class="muted">Loading…</p>}>
              {(parts) => (
                <pre class="dash-diff" aria-label="Differences" tabindex="0">
                  <For each={parts()}>
                    {(part) => (
                      <For each={part.value.replace(/\n$/, "").split("\n")}>
                        {(line) => (
                          <span class={`dash-diff__line${part.added ? " dash-diff__line--add" : part.removed ? " dash-diff__line--del" : ""}`}>
                            {part.added ? "+ " : part.removed ? "- " : "  "}
                            {line}
                          </span>
                        )}
                      </For>
                    )}
                  </For>
                </pre>
              )}
            </Show>
            <div role="alert">
              <Show when={error()}>
                <p class="alert alert--error">{error()}</p>
              </Show>
            </div>
            <Show when={canEdit()}>
              <div class="form__actions">
                <Button variant="primary" onClick={() => void restore()} disabled={restoring()}>
                  <BusyLabel busy={restoring()} label="Restoring…">
                    Restore version {selected()}
                  </BusyLabel>
                </Button>
              </div>
            </Show>
          </Show>
        </section>
      </div>
    </div>
  );
}
