/**
 * The Public link tab: create a link (expiry, optional password, what viewers may change, which
 * downloads they get); its URL is shown once; the dashboard's links with their status and
 * views, to pause, resume or revoke.
 */
import { createSignal, For, onMount, Show } from "solid-js";
import { Badge, Button, CheckboxGroup, CopyField, createForm, FormAlert, SubmitButton, TextField } from "~/ui/components";
import { LoadFailed } from "~/ui/LoadStates";
import { formatDateTime } from "~/ui/format";
import { createBrowserResource } from "~/ui/data";
import { trpc } from "~/ui/trpc";
import { sharingApi, type LinkSummary } from "./api";
import { createLinksStore, LINKS_CHANGED, type NewLinkInput } from "./links-store";

type Scope = { orgId: string; projectId: string; slug: string };

const STATUS_TONE = { active: "success", paused: "warning", revoked: "danger", expired: "neutral" } as const;

/** A typed value from the text a person wrote for a variable (numbers stay numbers). */
function valueOf(text: string): unknown {
  const t = text.trim();
  return t !== "" && !Number.isNaN(Number(t)) ? Number(t) : t;
}

export function LinksPanel(props: { scope: Scope }) {
  const store = createLinksStore(sharingApi.links, () => props.scope, () => window.dispatchEvent(new Event(LINKS_CHANGED)));
  onMount(() => void store.load());
  const [doc] = createBrowserResource(
    () => props.scope,
    // The parser loads with the panel's data, not with the page: the dashboard's own page
    // renders the share button, and its first paint should not wait for a YAML parser.
    async (s) => {
      const [record, { readDashboard }] = await Promise.all([trpc.dashboards.get.query(s), import("../../dashboards/ui/published")]);
      return readDashboard(record.yaml);
    },
  );
  const [modes, setModes] = createSignal<Record<string, string>>({});
  // The clamp is offered when the dashboard has a date variable: viewers' dates must lie inside it.
  const dated = () => (doc()?.variables ?? []).some((v) => v.type === "daterange" || v.type === "date");
  const form = createForm({
    validate(data) {
      const from = String(data.get("timeClamp.from") ?? "");
      const to = String(data.get("timeClamp.to") ?? "");
      return from && to && from > to ? { "timeClamp.to": "The last day must not be before the first" } : null;
    },
    async action(data) {
      const variables: NewLinkInput["variables"] = {};
      for (const v of doc()?.variables ?? []) {
        const mode = modes()[v.name] ?? "locked";
        if (mode === "free") variables[v.name] = { mode: "free" };
        else if (mode === "allowed") {
          const values = String(data.get(`allowed-${v.name}`) ?? "")
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean)
            .map(valueOf);
          variables[v.name] = { mode: "allowed", values };
        }
      }
      const password = String(data.get("password") ?? "");
      const from = String(data.get("timeClamp.from") ?? "");
      const to = String(data.get("timeClamp.to") ?? "");
      await store.create({
        ...(from || to ? { timeClamp: { ...(from ? { from } : {}), ...(to ? { to } : {}) } } : {}),
        expiresInDays: Number(data.get("expiresInDays") ?? 30),
        ...(password ? { password } : {}),
        variables,
        exports: data.getAll("exports").map(String) as NewLinkInput["exports"],
      });
    },
  });
  return (
    <div class="stack">
      <Show when={store.created()}>
        {(c) => <CopyField label="Public link" value={c().url} hint={`Copy it now: it is shown only once. It works until ${formatDateTime(c().expiresAt)}.`} mono />}
      </Show>
      <form class="stack" onSubmit={form.onSubmit} novalidate aria-label="New public link">
        <TextField form={form} name="expiresInDays" type="number" min="1" max="365" value="30" label="Expires after (days)" required="Say how many days the link works" />
        <TextField form={form} name="password" type="password" label="Password (optional)" hint="At least 8 characters. Viewers type it once." autocomplete="new-password" />
        <For each={doc()?.variables ?? []}>
          {(v) => (
            <fieldset class="share-variable">
              <legend>{v.label ?? v.name}</legend>
              <label class="field__label" for={`mode-${v.name}`}>
                Viewers can
              </label>
              <select id={`mode-${v.name}`} class="input select" onChange={(e) => setModes({ ...modes(), [v.name]: e.currentTarget.value })}>
                <option value="locked">not change it (its default)</option>
                <option value="allowed">choose from a list</option>
                <option value="free">change it freely</option>
              </select>
              <Show when={modes()[v.name] === "allowed"}>
                <TextField form={form} name={`allowed-${v.name}`} label={`Allowed values for ${v.label ?? v.name}`} hint="Separated by commas" required="List at least one value" />
              </Show>
            </fieldset>
          )}
        </For>
        <Show when={dated()}>
          <fieldset class="share-variable">
            <legend>Dates viewers may see</legend>
            <TextField form={form} name="timeClamp.from" type="date" label="From (optional)" hint="Viewers cannot pick a date before this day." />
            <TextField form={form} name="timeClamp.to" type="date" label="Until (optional)" hint="Nor after this one. The link's own dates are moved inside." />
          </fieldset>
        </Show>
        <CheckboxGroup
          form={form}
          name="exports"
          legend="Viewers may download"
          options={[
            { value: "csv", label: "CSV" },
            { value: "png", label: "PNG" },
            { value: "svg", label: "SVG" },
          ]}
        />
        <FormAlert form={form} />
        <SubmitButton form={form} pendingLabel="Creating…">
          Create link
        </SubmitButton>
      </form>
      <Show when={store.loadProblem()}>{(p) => <LoadFailed what="the links" problem={p()} onRetry={() => void store.load()} />}</Show>
      <h3 class="share-heading">Links to this dashboard</h3>
      <div role="alert" class="alert-region">
        {store.rowProblem()}
      </div>
      <Show when={store.links()} fallback={<p class="muted">Loading…</p>}>
        {(links) => (
          <Show when={links().length} fallback={<p class="muted">No links yet.</p>}>
            <ul class="share-list" aria-label="Links to this dashboard">
              <For each={links()}>{(link) => <LinkRow link={link} onChange={(what) => void store.change(link, what)} />}</For>
            </ul>
          </Show>
        )}
      </Show>
    </div>
  );
}

function LinkRow(props: { link: LinkSummary; onChange: (what: "pause" | "resume" | "revoke") => void }) {
  const name = () => props.link.label || `Link of ${formatDateTime(props.link.createdAt)}`;
  return (
    <li class="share-list__item">
      <span class="share-list__who">
        <strong>{name()}</strong>
        <span class="muted">
          {" "}
          {props.link.viewCount} view{props.link.viewCount === 1 ? "" : "s"}
          {props.link.lastViewedAt ? `, last ${formatDateTime(props.link.lastViewedAt)}` : ""} · expires {formatDateTime(props.link.expiresAt)}
          {props.link.timeClamp ? ` · dates ${props.link.timeClamp.from ?? "…"} to ${props.link.timeClamp.to ?? "…"}` : ""}
        </span>
      </span>
      <Badge tone={STATUS_TONE[props.link.status]}>{props.link.status}</Badge>
      <Show when={props.link.hasPassword}>
        <Badge>password</Badge>
      </Show>
      <Show when={props.link.status === "active"}>
        <Button variant="ghost" class="btn--compact" onClick={() => props.onChange("pause")} aria-label={`Pause: ${name()}`}>
          Pause
        </Button>
      </Show>
      <Show when={props.link.status === "paused"}>
        <Button variant="ghost" class="btn--compact" onClick={() => props.onChange("resume")} aria-label={`Resume: ${name()}`}>
          Resume
        </Button>
      </Show>
      <Show when={props.link.status === "active" || props.link.status === "paused"}>
        <Button variant="ghost" class="btn--compact" onClick={() => props.onChange("revoke")} aria-label={`Revoke: ${name()}`}>
          Revoke
        </Button>
      </Show>
    </li>
  );
}
