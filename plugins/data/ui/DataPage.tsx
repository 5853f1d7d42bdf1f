/**
 * The data page of a project: the organization's data sources (the warehouse first), CSV
 * upload and sample data for the warehouse, a schema browser and a SQL console. What a member
 * is offered follows their capabilities; the server checks every call again.
 */
import { A, type RouteSectionProps } from "@solidjs/router";
import { createMemo, createSignal, Match, Show, Suspense, Switch } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { LoadFailed, NotFoundPanel, PageLoading } from "~/ui/LoadStates";
import { Slot, useCapabilities } from "~/ui/Slot";
import { failure, useWorkspace } from "~/ui/workspace";
import { SchemaBrowser } from "./SchemaBrowser";
import { SourcesSection } from "./SourcesSection";
import { WarehouseLoadSection } from "./WarehouseLoad";
import { QueryConsole } from "./QueryConsole";

export default function DataPage(_props: RouteSectionProps) {
  const workspace = useWorkspace();
  const capabilities = useCapabilities();
  const can = (id: string) => capabilities().has(id);
  const base = () => `/o/${workspace.currentOrg()?.slug}/p/${workspace.currentProject()?.slug}`;
  const [sourceId, setSourceId] = createSignal("warehouse");
  // Bumped after an upload or a sample load, so the schema (and autocomplete) reloads.
  const [schemaVersion, setSchemaVersion] = createSignal(0);
  const orgId = () => workspace.currentOrg()?.id;
  const [tables, { refetch: refetchTables }] = createBrowserResource(
    () => {
      const id = orgId();
      return id ? { orgId: id, sourceId: sourceId(), version: schemaVersion() } : false;
    },
    (key) => trpc.data.describeTables.query({ orgId: key.orgId, sourceId: key.sourceId }).then((r) => r.tables),
  );
  const ready = createMemo(() => {
    const org = workspace.currentOrg();
    const project = workspace.currentProject();
    return org && project ? { org, project } : undefined;
  });

  return (
    <Switch fallback={<PageLoading label="Loading data…" />}>
      <Match when={workspace.org().status === "missing" || workspace.project().status === "missing"}>
        <NotFoundPanel title="Project not found" text="There is no project at this address in this organization, or it was deleted." />
      </Match>
      <Match when={failure(workspace.org()) ?? failure(workspace.project())}>
        {(problem) => <LoadFailed what="this project" problem={problem()} onRetry={() => void workspace.refetchProject()} />}
      </Match>
      <Match when={ready()}>
        {(current) => (
          <div class="stack">
            <header class="page-header">
              <p class="eyebrow">Project</p>
              <div class="page-header__row">
                <h1 class="page-header__title">{current().project.name}: data</h1>
              </div>
              <p class="page-header__lede">
                The data of {current().org.name}: its warehouse and connected databases, shared by every project in the organization.
              </p>
            </header>
            <nav class="tabs" aria-label="Project">
              <A href={base()} end class="tab" activeClass="tab--active" inactiveClass="">
                Overview
              </A>
              <Suspense>
                <Slot name="project.tabs" props={{ projectId: current().project.id }} />
              </Suspense>
              <A href={`${base()}/settings`} class="tab" activeClass="tab--active" inactiveClass="">
                Settings
              </A>
            </nav>
            <div class="tab-panel stack">
              <SourcesSection orgId={current().org.id} canManage={can("datasource.manage")} sourceId={sourceId()} onSelect={setSourceId} />
              <Show when={can("warehouse.load")}>
                <WarehouseLoadSection orgId={current().org.id} onChanged={() => setSchemaVersion((v) => v + 1)} />
              </Show>
              <SchemaBrowser
                tables={tables.error ? undefined : tables.latest}
                problem={tables.error ? problemOf(tables.error) : null}
                loading={tables.loading}
                onRetry={() => void refetchTables()}
              />
              <Show
                when={can("query.run")}
                fallback={
                  <p class="muted">Your role lets you see the sources and their tables. Ask an admin or editor to run queries or upload data.</p>
                }
              >
                <QueryConsole orgId={current().org.id} sourceId={sourceId()} tables={tables.error ? undefined : tables.latest} />
              </Show>
            </div>
          </div>
        )}
      </Match>
    </Switch>
  );
}
