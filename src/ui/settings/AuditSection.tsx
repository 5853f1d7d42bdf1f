import { createSignal, For, Match, onMount, Show, Switch } from "solid-js";
import { Alert, Badge, BusyLabel, Button, createForm, FormAlert, SelectField, SubmitButton, TextField } from "../components";
import type { RouterInputs, RouterOutputs } from "../data";
import { formatDateTime, formatRelative, isoOf } from "../format";
import { BotIcon, KeyIcon } from "../icons";
import { LoadFailed, PageLoading } from "../LoadStates";
import { problemOf, type Problem } from "../problems";
import { trpc } from "../trpc";
import { useCurrentOrg } from "../workspace";
import { SettingsSection } from "./Section";

type AuditEvent = RouterOutputs["audit"]["list"]["events"][number];
type ActorKind = NonNullable<RouterInputs["audit"]["list"]["actorKind"]>;

const PAGE_SIZE = 25;

const ACTOR_KINDS = [
  { value: "", label: "Everyone" },
  { value: "user", label: "People" },
  { value: "agent", label: "AI agents" },
  { value: "token", label: "Access tokens" },
  { value: "system", label: "System" },
  { value: "anonymous", label: "Not signed in" },
];

/** What an event's data says, short: `name: "Acme", role: "viewer"`. Never more than a line. */
function summarize(data: unknown): string {
  if (!data || typeof data !== "object") return "";
  const parts = Object.entries(data as Record<string, unknown>).map(([key, value]) => {
    const text = typeof value === "string" ? value : JSON.stringify(value);
    return `${key}: ${text && text.length > 60 ? `${text.slice(0, 57)}…` : text}`;
  });
  return parts.join(", ");
}

function Actor(props: { event: AuditEvent }) {
  const who = () => props.event.actorEmail ?? props.event.actorLabel ?? "";
  return (
    <Switch fallback={<span>{who() || "Unknown"}</span>}>
      <Match when={props.event.actorKind === "agent"}>
        <span class="actor">
          <Badge tone="agent">
            <BotIcon class="icon icon--sm" />
            Agent
          </Badge>
          <span class="actor__text">
            <span class="table__primary">{props.event.actorLabel ?? "MCP client"}</span>
            <Show when={props.event.actorEmail}>
              <span class="table__secondary">for {props.event.actorEmail}</span>
            </Show>
          </span>
        </span>
      </Match>
      <Match when={props.event.actorKind === "token"}>
        <span class="actor">
          <Badge>
            <KeyIcon class="icon icon--sm" />
            Token
          </Badge>
          <span class="actor__text">{who()}</span>
        </span>
      </Match>
      <Match when={props.event.actorKind === "system"}>
        <span class="actor">
          <Badge>System</Badge>
          <span class="actor__text">{props.event.actorLabel ?? ""}</span>
        </span>
      </Match>
      <Match when={props.event.actorKind === "anonymous"}>
        <span class="muted">Not signed in</span>
      </Match>
    </Switch>
  );
}

/** The org's audit log, newest first, filtered by action prefix and actor kind, paged. */
export function AuditSection() {
  const org = useCurrentOrg();
  const [filters, setFilters] = createSignal<{ action?: string; actorKind?: ActorKind }>({});
  const [events, setEvents] = createSignal<AuditEvent[]>([]);
  const [nextBefore, setNextBefore] = createSignal<number | null>(null);
  const [status, setStatus] = createSignal<"loading" | "ready" | "failed">("loading");
  const [loadProblem, setLoadProblem] = createSignal<Problem | null>(null);
  const [moreProblem, setMoreProblem] = createSignal<string | null>(null);
  const [loadingMore, setLoadingMore] = createSignal(false);

  const fetchPage = (before?: number) =>
    trpc.audit.list.query({ orgId: org().id, ...filters(), before, limit: PAGE_SIZE });

  const loadFirst = async () => {
    setStatus("loading");
    try {
      const page = await fetchPage();
      setEvents(page.events);
      setNextBefore(page.nextBefore);
      setStatus("ready");
    } catch (error) {
      setLoadProblem(problemOf(error));
      setStatus("failed");
      throw error;
    }
  };

  const loadMore = async () => {
    const before = nextBefore();
    if (before === null) return;
    setMoreProblem(null);
    setLoadingMore(true);
    try {
      const page = await fetchPage(before);
      setEvents((list) => [...list, ...page.events]);
      setNextBefore(page.nextBefore);
    } catch (error) {
      setMoreProblem(problemOf(error).message);
    } finally {
      setLoadingMore(false);
    }
  };

  onMount(() => void loadFirst().catch(() => {}));

  const form = createForm({
    action: async (data) => {
      const action = String(data.get("action") ?? "").trim();
      const actorKind = String(data.get("actorKind") ?? "") as ActorKind | "";
      setFilters({ ...(action ? { action } : {}), ...(actorKind ? { actorKind } : {}) });
      setMoreProblem(null);
      await loadFirst();
    },
  });
  const filtered = () => Object.keys(filters()).length > 0;

  return (
    <SettingsSection id="audit" title="Audit log" lede="Every change in this organization: who did it (person, token or AI agent), what, and when.">
      <form class="form filters" onSubmit={(event) => form.onSubmit(event)} novalidate aria-label="Filter the audit log">
        <TextField
          form={form}
          name="action"
          label="Action starts with"
          placeholder="e.g. member. or project.create"
          autocomplete="off"
          spellcheck={false}
          class="input--mono"
          maxLength={100}
        />
        <SelectField form={form} name="actorKind" label="Done by" options={ACTOR_KINDS} value="" />
        <div class="filters__actions">
          <SubmitButton form={form} pendingLabel="Filtering…" variant="secondary">
            Apply filters
          </SubmitButton>
        </div>
      </form>
      <FormAlert form={form} />

      <Switch fallback={<PageLoading label="Loading the audit log…" />}>
        <Match when={status() === "failed" && loadProblem()}>
          {(problem) => <LoadFailed what="the audit log" problem={problem()} onRetry={() => void loadFirst().catch(() => {})} />}
        </Match>
        <Match when={status() === "ready" || events().length > 0}>
          <Show when={events().length > 0} fallback={<p class="muted">{filtered() ? "No events match these filters." : "Nothing has happened here yet."}</p>}>
            <div class="table-wrap" aria-busy={status() === "loading"}>
              <table class="table table--audit">
                <caption class="visually-hidden">Audit events, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Who</th>
                    <th scope="col">Action</th>
                    <th scope="col">Details</th>
                  </tr>
                </thead>
                <tbody>
                  <For each={events()}>
                    {(event) => (
                      <tr classList={{ "table__row--agent": event.actorKind === "agent" }} data-actor-kind={event.actorKind}>
                        <td class="nowrap">
                          <time datetime={isoOf(event.createdAt)} title={formatDateTime(event.createdAt)}>
                            {formatRelative(event.createdAt)}
                          </time>
                        </td>
                        <td>
                          <Actor event={event} />
                        </td>
                        <td>
                          <code class="code">{event.action}</code>
                        </td>
                        <td class="table__details">
                          <Show when={event.targetType}>
                            <span class="table__secondary">
                              {event.targetType} {event.targetId ? <span class="mono">{event.targetId.slice(0, 8)}</span> : null}
                            </span>
                          </Show>
                          <span class="table__clip">{summarize(event.data)}</span>
                        </td>
                      </tr>
                    )}
                  </For>
                </tbody>
              </table>
            </div>
            <div class="load-more">
              <Show when={nextBefore() !== null} fallback={<p class="muted">That’s everything{filtered() ? " for these filters" : ""}.</p>}>
                <Button disabled={loadingMore()} onClick={() => void loadMore()}>
                  <BusyLabel busy={loadingMore()} label="Loading more…">
                    Load more
                  </BusyLabel>
                </Button>
              </Show>
              <Alert message={moreProblem()} />
            </div>
          </Show>
        </Match>
      </Switch>
    </SettingsSection>
  );
}
