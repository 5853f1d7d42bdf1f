/**
 * The data page of a project: the organization's data sources (the warehouse first), CSV
 * upload and sample data for the warehouse, a schema browser and a SQL console. What a member
 * is offered follows their capabilities; the server checks every call again.
 */
import type { RouteSectionProps } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";
import { Slot, useCapabilities } from "~/ui/Slot";
import { useCurrentOrg } from "~/ui/workspace";
import { SchemaBrowser } from "./SchemaBrowser";
import { SourcesSection } from "./SourcesSection";
import { WarehouseLoadSection } from "./WarehouseLoad";
import { QueryConsole } from "./QueryConsole";

/** Rendered by the project frame (header, tabs and the project's states) once the project is loaded. */
export default function DataPage(_props: RouteSectionProps) {
  const org = useCurrentOrg();
  const capabilities = useCapabilities();
  const can = (id: string) => capabilities().has(id);
  const [sourceId, setSourceId] = createSignal("warehouse");
  // Bumped after an upload or a sample load, so the schema (and autocomplete) reloads.
  const [schemaVersion, setSchemaVersion] = createSignal(0);
  const [tables, { refetch: refetchTables }] = createBrowserResource(
    () => ({ orgId: org().id, sourceId: sourceId(), version: schemaVersion() }),
    (key) => trpc.data.describeTables.query({ orgId: key.orgId, sourceId: key.sourceId }).then((r) => r.tables),
  );

  return (
    <div class="stack">
      <p class="muted">The data of {org().name}: its warehouse and connected databases, shared by every project in the organization.</p>
      <SourcesSection orgId={org().id} canManage={can("datasource.manage")} sourceId={sourceId()} onSelect={setSourceId} />
      <Slot name="data.sections" />
      <Show when={can("warehouse.load")}>
        <WarehouseLoadSection orgId={org().id} onChanged={() => setSchemaVersion((v) => v + 1)} />
      </Show>
      <SchemaBrowser
        tables={tables.error ? undefined : tables.latest}
        problem={tables.error ? problemOf(tables.error) : null}
        loading={tables.loading}
        onRetry={() => void refetchTables()}
      />
      <Show
        when={can("query.run")}
        fallback={<p class="muted">Your role lets you see the sources and their tables. Ask an admin or editor to run queries or upload data.</p>}
      >
        <QueryConsole orgId={org().id} sourceId={sourceId()} tables={tables.error ? undefined : tables.latest} />
      </Show>
    </div>
  );
}
