/**
 * The public page at `/s/<token>`: a dashboard for anyone with the link, with no session, no
 * navigation, no editor and no SQL. It asks the link's data route for everything it shows;
 * variables the link fixes are shown as text, the others as controls.
 */
import "./sharing.css";
import { Meta, Title } from "@solidjs/meta";
import { useParams } from "@solidjs/router";
import { createMemo, Match, onMount, Show, Switch } from "solid-js";
import { BusyLabel, Button, createForm, FormAlert, SubmitButton, TextField } from "~/ui/components";
import { DashboardCanvas, type Dashboard, type QueryResult, type Variable } from "../../dashboards/ui/published";
import { createPublicStore, type PublicView } from "./public-store";

export default function PublicDashboardPage() {
  const params = useParams<{ token: string }>();
  const store = createPublicStore(params.token);
  onMount(() => void store.load());
  // Read from the store, never through a <Match>'s narrowed accessor: that throws ("stale read")
  // when a branch's computations run once more as the page switches to another branch.
  const failure = () => {
    const s = store.state();
    return s.kind === "failed" ? s.message : "";
  };
  const wrongPassword = () => {
    const s = store.state();
    return s.kind === "password" && s.wrong;
  };
  return (
    <div class="public-dashboard">
      <Meta name="robots" content="noindex, nofollow" />
      <Meta name="referrer" content="no-referrer" />
      <Switch>
        <Match when={store.state().kind === "loading"}>
          <Title>Shared dashboard · Atrium</Title>
          <p class="muted" role="status">
            Loading dashboard…
          </p>
        </Match>
        <Match when={store.state().kind === "gone"}>
          <Title>Link not available · Atrium</Title>
          <div role="alert" class="stack">
            <h1 class="page-header__title">This link is not available</h1>
            <p>It may have expired or been turned off. Ask the person who shared it for a new one.</p>
          </div>
        </Match>
        <Match when={store.state().kind === "failed"}>
          <div role="alert" class="stack">
            <h1 class="page-header__title">The dashboard could not be loaded</h1>
            <p>{failure()}</p>
            <Button onClick={() => void store.refresh()}>Try again</Button>
          </div>
        </Match>
        <Match when={store.state().kind === "password"}>
          <PasswordForm wrong={wrongPassword()} onSubmit={store.unlockWith} />
        </Match>
        <Match when={store.state().kind === "view" && store.view()}>
          <PublicCanvas view={store.view()!} store={store} />
        </Match>
      </Switch>
    </div>
  );
}

function PasswordForm(props: { wrong: boolean; onSubmit: (password: string) => Promise<void> }) {
  const form = createForm({ action: (data) => props.onSubmit(String(data.get("password") ?? "")) });
  return (
    <form class="stack public-password" onSubmit={form.onSubmit} novalidate>
      <Title>Password needed · Atrium</Title>
      <h1 class="page-header__title">This dashboard needs a password</h1>
      <TextField form={form} name="password" type="password" label="Password" required="Enter the password you were given" autocomplete="off" />
      <Show when={props.wrong}>
        <p role="alert" class="field__error">
          That password is not right.
        </p>
      </Show>
      <FormAlert form={form} />
      <SubmitButton form={form} pendingLabel="Opening…">
        Open
      </SubmitButton>
    </form>
  );
}

function display(value: unknown, options?: { value: unknown; label: string }[]): string {
  if (Array.isArray(value)) return value.map((v) => display(v, options)).join(", ");
  if (value && typeof value === "object" && "start" in value && "end" in value) return `${String((value as { start: unknown }).start)} – ${String((value as { end: unknown }).end)}`;
  return options?.find((o) => JSON.stringify(o.value) === JSON.stringify(value))?.label ?? (value === null || value === undefined ? "—" : String(value));
}

function PublicCanvas(props: { view: PublicView; store: ReturnType<typeof createPublicStore> }) {
  const doc = createMemo(() => ({ ...props.view.dashboard, description: props.view.dashboard.description ?? undefined }) as unknown as Dashboard);
  const editable = createMemo(() =>
    props.view.dashboard.variables.filter((v) => v.editable).map((v) => ({ name: v.name, label: v.label, type: v.type, ...(v.options ? { options: v.options } : {}) }) as unknown as Variable),
  );
  const fixed = createMemo(() => props.view.dashboard.variables.filter((v) => !v.editable).map((v) => ({ label: v.label, value: display(v.value, v.options) })));
  const values = createMemo(() => Object.fromEntries(props.view.dashboard.variables.map((v) => [v.name, v.value])));
  const options = createMemo(() => Object.fromEntries(props.view.dashboard.variables.filter((v) => v.options).map((v) => [v.name, v.options!])));
  const resultFor = (chartId: string): QueryResult | undefined => {
    const r = props.view.results[chartId];
    if (!r) return undefined;
    return r.ok ? { ok: true, columns: r.columns, rows: r.rows, truncated: r.truncated, ms: 0, cached: false, ranAt: props.view.ranAt } : { ok: false, error: { code: "unavailable", message: r.message } };
  };
  return (
    <div class="stack">
      <Title>{props.view.dashboard.title} · Atrium</Title>
      <p class="notice notice--info public-dashboard__banner">A read-only dashboard shared by link. It stays available until {new Date(props.view.expiresAt).toLocaleDateString()}.</p>
      <header class="page-header dash-header">
        <h1 class="page-header__title">{props.view.dashboard.title}</h1>
        <div class="dash-header__actions">
          <Button onClick={() => void props.store.refresh()} disabled={props.store.busy()}>
            <BusyLabel busy={props.store.busy()} label="Refreshing…">
              Refresh
            </BusyLabel>
          </Button>
        </div>
      </header>
      <div role="alert" class="alert-region">
        {Object.values(props.store.refused()).join(" ")}
      </div>
      <DashboardCanvas
        doc={doc()}
        resultFor={resultFor}
        running={props.store.busy()}
        variables={editable()}
        values={values()}
        options={options()}
        onVariableChange={(name, value) => void props.store.choose(name, value)}
        fixed={fixed()}
        cardActions={props.view.exports.length > 0}
      />
    </div>
  );
}
