/**
 * A project's dashboards: search, tag filter, new (from the starter document, opens the
 * editor), duplicate, delete with Undo, and a "Deleted" view to restore from.
 */
import { useNavigate, useSearchParams, type RouteSectionProps } from "@solidjs/router";
import { createEffect, createSignal, For, Match, Show, Switch } from "solid-js";
import { Badge, Button, createForm, Dialog, EmptyState, FormAlert, Link, SelectField, SubmitButton, TextAreaField, TextField } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { formatRelative, isoOf, formatDateTime } from "~/ui/format";
import { LoadFailed } from "~/ui/LoadStates";
import { useCapabilities } from "~/ui/Slot";
import { useToasts } from "~/ui/toasts";
import { dashboardsApi, problemOf, type DashboardSummary } from "./api";
import { ProjectFrame, type Current } from "./ProjectFrame";

export default function ListPage(_props: RouteSectionProps) {
  return <ProjectFrame loading="Loading dashboards…">{(current) => <DashboardList current={current()} />}</ProjectFrame>;
}

function DashboardList(props: { current: Current }) {
  const navigate = useNavigate();
  const toasts = useToasts();
  const capabilities = useCapabilities();
  const canEdit = () => capabilities().has("dashboard.edit");
  const canDelete = () => capabilities().has("dashboard.delete");
  const [params, setParams] = useSearchParams<{ q?: string; tag?: string; deleted?: string }>();
  const [creating, setCreating] = createSignal(false);
  const [undo, setUndo] = createSignal<DashboardSummary | null>(null);
  const [actionError, setActionError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);

  const [list, { refetch }] = createBrowserResource(
    () => ({ ...props.current.scope, search: params.q || undefined, tag: params.tag || undefined, deleted: params.deleted === "1" }),
    (input) => dashboardsApi.list.query(input),
  );
  // Later pages, appended below the first by "Show more"; a new first page (filters, a write) starts over.
  const [more, setMore] = createSignal<DashboardSummary[]>([]);
  const [next, setNext] = createSignal<string | null>(null);
  createEffect(() => {
    const first = list.latest;
    setMore([]);
    setNext(first?.nextCursor ?? null);
  });
  const items = () => [...(list.latest?.items ?? []), ...more()];
  const showMore = () => {
    const input = { ...props.current.scope, search: params.q || undefined, tag: params.tag || undefined, deleted: params.deleted === "1", cursor: next() ?? undefined };
    return act("more", async () => {
      const page = await dashboardsApi.list.query(input);
      setMore((rows) => [...rows, ...page.items]);
      setNext(page.nextCursor);
    });
  };
  const [tags] = createBrowserResource(
    () => props.current.scope,
    (scope) => dashboardsApi.tags.query(scope).then((r) => r.tags),
  );

  let searchTimer: ReturnType<typeof setTimeout> | undefined;
  const onSearch = (value: string) => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(() => setParams({ q: value || undefined }, { replace: true }), 250);
  };

  const act = async (key: string, run: () => Promise<unknown>) => {
    if (busy()) return;
    setBusy(key);
    setActionError(null);
    try {
      await run();
    } catch (error) {
      setActionError(problemOf(error).message);
    } finally {
      setBusy(null);
    }
  };

  const duplicate = (d: DashboardSummary) => {
    const scope = props.current.scope;
    return act(`dup:${d.slug}`, async () => {
      const copy = await dashboardsApi.duplicate.mutate({ ...scope, slug: d.slug });
      toasts.success(`Duplicated “${d.title}”`, `The copy is at ${copy.slug}.`);
      await refetch();
    });
  };
  const remove = (d: DashboardSummary) => {
    const scope = props.current.scope;
    return act(`del:${d.slug}`, async () => {
      await dashboardsApi.delete.mutate({ ...scope, slug: d.slug });
      setUndo(d);
      await refetch();
    });
  };
  const restore = (d: DashboardSummary) => {
    const scope = props.current.scope;
    const undoing = undo()?.slug === d.slug;
    return act(`res:${d.slug}`, async () => {
      await dashboardsApi.restore.mutate({ ...scope, slug: d.slug });
      if (undoing) setUndo(null);
      toasts.success(`Restored “${d.title}”`);
      await refetch();
    });
  };

  const [format, setFormat] = createSignal("atrium");
  const createForm_ = createForm({
    // A pasted board brings its own title; otherwise the dashboard starts from an example with this one.
    validate: (data) => (String(data.get("title") ?? "").trim() || String(data.get("yaml") ?? "").trim() ? null : { title: "Give the dashboard a title." }),
    action: async (data) => {
      const title = String(data.get("title") ?? "").trim();
      const board = data.get("format") === "dbt-charts";
      const pasted = board ? String(data.get("yaml") ?? "") : "";
      const yaml = pasted.trim()
        ? pasted
        : board
          ? (await import("../document/dbt-charts")).newDbtBoardYaml(title)
          : (await import("../document")).newDashboardYaml(title);
      const created = await dashboardsApi.create.mutate({ ...props.current.scope, yaml, ...(board ? { format: "dbt-charts" as const } : {}) });
      setCreating(false);
      setFormat("atrium");
      // An imported board opens as a board; a new one opens in the editor.
      navigate(`${props.current.base}/d/${created.slug}${pasted.trim() ? "" : "/edit"}`);
    },
  });

  return (
    <div class="stack">
      <div class="stack">
        <div class="dash-toolbar" role="search">
          <div class="field" style={{ flex: "1 1 240px" }}>
            <label class="field__label" for="dash-search">
              Search dashboards
            </label>
            <input
              id="dash-search"
              class="input"
              type="search"
              value={params.q ?? ""}
              placeholder="Title, description or tag"
              onInput={(e) => onSearch(e.currentTarget.value)}
            />
          </div>
          <div class="field">
            <label class="field__label" for="dash-tag">
              Tag
            </label>
            <select id="dash-tag" class="input select" onChange={(e) => setParams({ tag: e.currentTarget.value || undefined })}>
              <option value="" selected={!params.tag}>
                All tags
              </option>
              <For each={tags.latest ?? []}>
                {(tag) => (
                  <option value={tag} selected={params.tag === tag}>
                    {tag}
                  </option>
                )}
              </For>
            </select>
          </div>
          <label class="check" style={{ "align-self": "center" }}>
            <input type="checkbox" checked={params.deleted === "1"} onChange={(e) => setParams({ deleted: e.currentTarget.checked ? "1" : undefined })} />
            <span class="check__label">Deleted</span>
          </label>
          <span class="dash-toolbar__spacer" />
          <Link href={`${props.current.base}/board-sources`} variant="button-secondary">
            dbt Charts sources
          </Link>
          <Show when={canEdit()}>
            <Button variant="primary" onClick={() => setCreating(true)}>
              New dashboard
            </Button>
          </Show>
        </div>

        <div role="status" aria-live="polite">
          <Show when={undo()}>
            {(d) => (
              <div class="notice notice--info">
                <div class="notice__body">
                  <p>
                    Deleted “{d().title}”.{" "}
                    <Button variant="secondary" class="btn--compact" disabled={!!busy()} onClick={() => void restore(d())}>
                      Undo
                    </Button>
                  </p>
                </div>
              </div>
            )}
          </Show>
        </div>
        <div role="alert">
          <Show when={actionError()}>
            <p class="alert alert--error">{actionError()}</p>
          </Show>
        </div>

        <Switch>
          <Match when={list.error as unknown}>
            <LoadFailed what="the dashboards" problem={problemOf(list.error)} onRetry={() => void refetch()} />
          </Match>
          <Match when={!list.latest}>
            <p class="muted" role="status">
              Loading dashboards…
            </p>
          </Match>
          <Match when={list.latest?.items.length === 0}>
            <EmptyState
              title={params.deleted === "1" ? "No deleted dashboards" : params.q || params.tag ? "No dashboards match" : "No dashboards yet"}
              actions={
                <Show when={canEdit() && params.deleted !== "1" && !params.q && !params.tag}>
                  <Button variant="primary" onClick={() => setCreating(true)}>
                    Create a dashboard
                  </Button>
                </Show>
              }
            >
              <p>{params.deleted === "1" ? "Deleted dashboards show here until restored." : "A dashboard holds charts of your data, written as YAML or built visually."}</p>
            </EmptyState>
          </Match>
          <Match when={list.latest}>
            <ul class="rows" aria-label={params.deleted === "1" ? "Deleted dashboards" : "Dashboards"}>
              <For each={items()}>
                {(d) => (
                  <li class="row">
                    <div class="row__main">
                      <p class="row__title">
                        <Show when={!d.deletedAt} fallback={<span>{d.title}</span>}>
                          <Link href={`${props.current.base}/d/${d.slug}`}>{d.title}</Link>
                        </Show>
                      </p>
                      <Show when={d.description}>
                        <p class="muted">{d.description}</p>
                      </Show>
                      <p class="row__meta">
                        <span class="dash-list__tags">
                          <For each={d.tags}>{(tag) => <Badge tone="accent">{tag}</Badge>}</For>
                        </span>{" "}
                        <span>
                          v{d.version} · {d.deletedAt ? "deleted" : "updated"}{" "}
                          <time datetime={isoOf(d.deletedAt ?? d.updatedAt)} title={formatDateTime(d.deletedAt ?? d.updatedAt)}>
                            {formatRelative(d.deletedAt ?? d.updatedAt)}
                          </time>
                          {d.updatedBy ? ` by ${d.updatedBy.name}` : ""}
                        </span>
                      </p>
                    </div>
                    <div class="inline-actions">
                      <Show
                        when={!d.deletedAt}
                        fallback={
                          <Show when={canDelete()}>
                            <Button disabled={!!busy()} onClick={() => void restore(d)} aria-label={`Restore ${d.title}`}>
                              Restore
                            </Button>
                          </Show>
                        }
                      >
                        <Show when={canEdit()}>
                          <Link href={`${props.current.base}/d/${d.slug}/edit`} variant="button-secondary" aria-label={`Edit ${d.title}`}>
                            Edit
                          </Link>
                          <Button disabled={!!busy()} onClick={() => void duplicate(d)} aria-label={`Duplicate ${d.title}`}>
                            Duplicate
                          </Button>
                        </Show>
                        <Show when={canDelete()}>
                          <Button variant="ghost" class="btn--danger-text" disabled={!!busy()} onClick={() => void remove(d)} aria-label={`Delete ${d.title}`}>
                            Delete
                          </Button>
                        </Show>
                      </Show>
                    </div>
                  </li>
                )}
              </For>
            </ul>
            <Show when={next()}>
              <div>
                <Button disabled={!!busy()} onClick={() => void showMore()}>
                  {busy() === "more" ? "Loading…" : "Show more dashboards"}
                </Button>
              </div>
            </Show>
          </Match>
        </Switch>
      </div>

      <Dialog open={creating()} onClose={() => setCreating(false)} title="New dashboard" description="It starts from a small example you can edit as YAML or visually, or from a dbt Charts board you paste.">
        <form class="form" onSubmit={(e) => createForm_.onSubmit(e)} novalidate>
          <TextField form={createForm_} name="title" label="Title" hint={format() === "dbt-charts" ? "Not needed when you paste a board: it has its own title." : undefined} maxLength={200} autocomplete="off" />
          <SelectField
            form={createForm_}
            name="format"
            label="Format"
            hint="A dbt Charts board is stored and edited as dbt Charts YAML, and exported as a charts/*.yml file."
            value="atrium"
            options={[
              { value: "atrium", label: "Atrium dashboard" },
              { value: "dbt-charts", label: "dbt Charts board" },
            ]}
            onChange={(e) => setFormat(e.currentTarget.value)}
          />
          <Show when={format() === "dbt-charts"}>
            <TextAreaField
              form={createForm_}
              name="yaml"
              label="Board YAML (optional)"
              hint="Paste a charts/*.yml board to import it as it is, or leave this empty to start from an example."
              rows={8}
              spellcheck={false}
              class="input--mono"
            />
          </Show>
          <FormAlert form={createForm_} />
          <div class="form__actions">
            <SubmitButton form={createForm_} pendingLabel="Creating…">
              Create dashboard
            </SubmitButton>
            <Button onClick={() => setCreating(false)}>Cancel</Button>
          </div>
        </form>
      </Dialog>
    </div>
  );
}
