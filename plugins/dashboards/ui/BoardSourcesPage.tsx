/**
 * A project's dbt Charts sources: each source name its boards read from (`source: warehouse`)
 * and the organization's data source it maps to. Editors map a name (or another name from
 * dbt_charts.yml's `sources:`) and unmap it; everyone sees which names are still unmapped, as a
 * setup step: a board reading from an unmapped name cannot run its queries.
 */
import type { RouteSectionProps } from "@solidjs/router";
import { For, Match, Show, Switch } from "solid-js";
import { Badge, Button, createForm, createRowAction, EmptyState, FormAlert, Link, Notice, SelectField, SubmitButton, TextField, type SelectOption } from "~/ui/components";
import { createBrowserResource, type RouterOutputs } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { useCapabilities } from "~/ui/Slot";
import { useToasts } from "~/ui/toasts";
import { dashboardsApi, problemOf } from "./api";
import { ProjectFrame, type Current } from "./ProjectFrame";

type View = RouterOutputs["dashboards"]["boardSources"];
type Item = View["items"][number];

export default function BoardSourcesPage(_props: RouteSectionProps) {
  return <ProjectFrame loading="Loading board sources…">{(current) => <BoardSources current={current()} />}</ProjectFrame>;
}

function BoardSources(props: { current: Current }) {
  const capabilities = useCapabilities();
  const canEdit = () => capabilities().has("dashboard.edit");
  const [view, { refetch }] = createBrowserResource(
    () => props.current.scope,
    (scope) => dashboardsApi.boardSources.query(scope),
  );
  const options = (): SelectOption[] => (view.latest?.sources ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.label})` }));
  const unmapped = () => (view.latest?.items ?? []).filter((i) => !i.sourceId);
  const onlyWarehouse = () => (view.latest?.sources.length ?? 0) <= 1;

  return (
    <div class="stack">
      <p class="muted">
        A dbt Charts board names the source its queries read from (<code>source: warehouse</code>, the names of <code>dbt_charts.yml</code>’s <code>sources:</code>). Map each
        name to one of the organization’s data sources: the boards reading from it run their queries there. <code>warehouse</code> is the built-in warehouse unless you map it.
      </p>
      <Switch>
        <Match when={view.error as unknown}>
          <LoadFailed what="the board sources" problem={problemOf(view.error)} onRetry={() => void refetch()} />
        </Match>
        <Match when={!view.latest}>
          <p class="muted" role="status">
            Loading board sources…
          </p>
        </Match>
        <Match when={view.latest}>
          <Show when={unmapped().length}>
            <Notice tone="warning" title={`${unmapped().length === 1 ? "One board source is" : `${unmapped().length} board sources are`} not mapped`}>
              <p>
                Boards reading from {unmapped().map((i) => `“${i.name}”`).join(", ")} cannot run their queries until each name maps to a data source.
                <Show when={onlyWarehouse()}>
                  {" "}
                  The organization has only the built-in warehouse: <Link href={`${props.current.base}/data`}>connect the database</Link> the boards were written for first.
                </Show>
              </p>
            </Notice>
          </Show>
          <Show
            when={view.latest!.items.length}
            fallback={
              <EmptyState title="No board sources yet">
                <p>Source names appear here when a dbt Charts board of this project names one, or when you map one below.</p>
              </EmptyState>
            }
          >
            <ul class="rows" aria-label="Board sources">
              <For each={view.latest!.items}>{(item) => <SourceRow current={props.current} item={item} options={options()} canEdit={canEdit()} onChanged={() => void refetch()} />}</For>
            </ul>
          </Show>
          <Show when={canEdit()}>
            <AddMapping current={props.current} options={options()} onMapped={() => void refetch()} />
          </Show>
        </Match>
      </Switch>
    </div>
  );
}

function SourceRow(props: { current: Current; item: Item; options: SelectOption[]; canEdit: boolean; onChanged: () => void }) {
  const toasts = useToasts();
  const form = createForm({
    action: async (data) => {
      const mapped = await dashboardsApi.mapBoardSource.mutate({ ...props.current.scope, name: props.item.name, sourceId: String(data.get("sourceId") ?? "") });
      toasts.success(`“${mapped.name}” maps to ${mapped.sourceName ?? mapped.sourceId}`);
      props.onChanged();
    },
  });
  const unmap = createRowAction(
    async (item: Item) => {
      await dashboardsApi.unmapBoardSource.mutate({ ...props.current.scope, name: item.name });
      toasts.success(`“${item.name}” is no longer mapped`);
      props.onChanged();
    },
    (item) => item.name,
    (problem) => form.fail(problem),
  );
  return (
    <li class="row">
      <div class="row__main">
        <p class="row__title">
          <code>{props.item.name}</code>{" "}
          <Show when={props.item.sourceId} fallback={<Badge tone="warning">Not mapped</Badge>}>
            <Badge tone="success">→ {props.item.sourceName ?? "a data source that no longer exists"}</Badge>
          </Show>
        </p>
        <p class="row__meta">
          <Show when={props.item.boards.length} fallback={<span>No board reads from it yet.</span>}>
            <span>Used by </span>
            <For each={props.item.boards}>
              {(board, i) => (
                <>
                  {i() ? ", " : ""}
                  <Link href={`${props.current.base}/d/${board.slug}`}>{board.title}</Link>
                </>
              )}
            </For>
          </Show>
        </p>
      </div>
      <Show when={props.canEdit}>
        <form class="form form--inline" onSubmit={(e) => form.onSubmit(e)} novalidate aria-label={`Map ${props.item.name}`}>
          <SelectField form={form} name="sourceId" label={`Data source for “${props.item.name}”`} options={props.options} value={props.item.sourceId ?? ""} />
          <SubmitButton form={form} pendingLabel="Saving…">
            Save
          </SubmitButton>
          <Show when={props.item.mapped}>
            <Button variant="ghost" disabled={unmap.busy(props.item)} onClick={() => void unmap.run(props.item)} aria-label={`Unmap ${props.item.name}`}>
              Unmap
            </Button>
          </Show>
          <FormAlert form={form} />
        </form>
      </Show>
    </li>
  );
}

function AddMapping(props: { current: Current; options: SelectOption[]; onMapped: () => void }) {
  const toasts = useToasts();
  let formEl: HTMLFormElement | undefined;
  const form = createForm({
    action: async (data) => {
      const mapped = await dashboardsApi.mapBoardSource.mutate({ ...props.current.scope, name: String(data.get("name") ?? "").trim(), sourceId: String(data.get("sourceId") ?? "") });
      toasts.success(`“${mapped.name}” maps to ${mapped.sourceName ?? mapped.sourceId}`);
      formEl?.reset();
      props.onMapped();
    },
  });
  return (
    <section class="panel" aria-labelledby="board-source-add">
      <h2 id="board-source-add" class="panel__title">
        Map another source name
      </h2>
      <p class="muted">For a name of dbt_charts.yml’s sources that no board of this project uses yet.</p>
      <form ref={formEl} class="form form--inline" onSubmit={(e) => form.onSubmit(e)} novalidate>
        <TextField form={form} name="name" label="Source name" required="Name the source as boards write it." maxLength={100} autocomplete="off" />
        <SelectField form={form} name="sourceId" label="Data source" options={props.options} value="warehouse" />
        <SubmitButton form={form} pendingLabel="Mapping…">
          Map source
        </SubmitButton>
        <FormAlert form={form} />
      </form>
    </section>
  );
}
