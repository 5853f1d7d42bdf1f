import { Title } from "@solidjs/meta";
import { A } from "@solidjs/router";
import { createResource, createSignal, For, Match, onMount, Show, Switch } from "solid-js";
import { Button, EmptyState, Link, Spinner } from "~/ui/components";
import { BuildingIcon, ChartIcon, DatabaseIcon, PlusIcon, ShareIcon, SparkIcon } from "~/ui/icons";
import { roleLabel } from "~/ui/roles";
import { useSession, type Me } from "~/ui/session";

const STEPS = [
  { icon: DatabaseIcon, title: "Connect data", text: "Upload a CSV into your workspace warehouse, or connect a PostgreSQL database." },
  { icon: ChartIcon, title: "Build dashboards", text: "Write SQL or compose a visual query, choose charts, and keep every version." },
  { icon: ShareIcon, title: "Share them", text: "Invite your team with the right role, or publish a read-only link." },
  { icon: SparkIcon, title: "Work with agents", text: "Any MCP client can do the same work on your behalf, never more than you can." },
] as const;

/** The server's `kernel.info`, through the typed client (loaded on demand: not first-load JS). */
async function fetchKernelInfo() {
  const { trpc } = await import("~/ui/trpc");
  return trpc.kernel.info.query();
}

/** What this server runs, fetched once the page is in the browser (the server renders a spinner). */
function WorkspaceDetails() {
  const [inBrowser, setInBrowser] = createSignal(false);
  onMount(() => setInBrowser(true));
  const [info, { refetch }] = createResource(inBrowser, fetchKernelInfo);
  return (
    <Switch fallback={<Spinner label="Loading workspace details…" />}>
      <Match when={info.error as unknown}>
        <div class="inline-error">
          <p>We couldn’t reach the Atrium server. Check your connection and try again.</p>
          <Button onClick={() => void refetch()}>Try again</Button>
        </div>
      </Match>
      <Match when={info.state === "ready" && info()}>
        {(data) => (
          <dl class="details">
            <div class="details__row">
              <dt>Server</dt>
              <dd>
                {data().name} <span class="muted">version {data().version}</span>
              </dd>
            </div>
            <div class="details__row">
              <dt>Plugins installed</dt>
              <dd>
                <Show when={data().plugins.length > 0} fallback={<span class="muted">None yet: the kernel is running on its own.</span>}>
                  <ul class="chips" aria-label="Installed plugins">
                    <For each={data().plugins}>{(id) => <li class="chip">{id}</li>}</For>
                  </ul>
                </Show>
              </dd>
            </div>
          </dl>
        )}
      </Match>
    </Switch>
  );
}

/** A signed-in person's organizations, or the first step when they have none. */
function YourOrganizations(props: { me: Me }) {
  return (
    <section class="panel" aria-labelledby="your-orgs">
      <div class="panel__header">
        <h2 id="your-orgs" class="panel__title">
          Your organizations
        </h2>
        <Link href="/orgs/new" variant="button-secondary" class="btn--compact">
          <PlusIcon class="icon" />
          New organization
        </Link>
      </div>
      <Show
        when={props.me.orgs.length > 0}
        fallback={
          <p class="muted">
            You don’t belong to an organization yet. Create one for your team, or open the invitation link someone sent you.
          </p>
        }
      >
        <ul class="cards cards--compact">
          <For each={props.me.orgs}>
            {(org) => (
              <li class="card">
                <div class="card__head">
                  <BuildingIcon class="icon card__icon" />
                  <A href={`/o/${org.slug}`} class="card__link" activeClass="" inactiveClass="">
                    {org.name}
                  </A>
                </div>
                <p class="card__meta">{roleLabel(org.role)}</p>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </section>
  );
}

export default function Home() {
  const session = useSession();
  return (
    <div class="home">
      <Title>Home · Atrium</Title>
      <header class="page-header">
        <p class="eyebrow">Your workspace</p>
        <h1 class="page-header__title">
          <Show when={session.user()} fallback="Welcome to Atrium">
            {(me) => `Welcome${me().name ? `, ${me().name.split(/\s+/)[0]}` : ""}`}
          </Show>
        </h1>
        <p class="page-header__lede">One place for your team’s analytics dashboards, and for the agents that help build them.</p>
      </header>

      <Show when={session.user()}>{(me) => <YourOrganizations me={me()} />}</Show>
      <Show when={session.user() === null}>
        <div class="cta-row">
          <Link href="/sign-up" variant="button-primary">
            Create an account
          </Link>
          <Link href="/sign-in" variant="button-secondary">
            Sign in
          </Link>
        </div>
      </Show>

      <EmptyState title="No dashboards yet" icon={<ChartIcon class="icon icon--lg" />}>
        <p class="empty-state__lede">Connect data, build dashboards, share them; agents can do it all through MCP.</p>
        <ol class="steps">
          <For each={STEPS}>
            {(step) => (
              <li class="steps__item">
                <span class="steps__icon" aria-hidden="true">
                  <step.icon class="icon" />
                </span>
                <span class="steps__title">{step.title}</span>
                <span class="steps__text">{step.text}</span>
              </li>
            )}
          </For>
        </ol>
      </EmptyState>

      <section class="panel" aria-labelledby="workspace-details">
        <h2 id="workspace-details" class="panel__title">
          This workspace
        </h2>
        <WorkspaceDetails />
      </section>
    </div>
  );
}
