/**
 * "Shared with me": the dashboards and projects other people shared with me, wherever they are;
 * and, for the organizations where a share is my only access (their settings are not mine to
 * open), access tokens for the CLI and AI agents reaching only what is shared there.
 */
import "./sharing.css";
import { Title } from "@solidjs/meta";
import { For, Match, Show, Switch } from "solid-js";
import { Badge, EmptyState, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { useSession } from "~/ui/session";
import { TokensSection } from "~/ui/settings/TokensSection";
import { sharingApi } from "./api";

export default function SharedWithMePage() {
  const [items, { refetch }] = createBrowserResource(
    () => true,
    () => sharingApi.sharedWithMe.query().then((r) => r.items),
  );
  const session = useSession();
  // Orgs where shares are the only access: a member makes tokens on the account page.
  const sharedOrgs = () => {
    const member = new Set((session.user()?.orgs ?? []).map((o) => o.id));
    const list = items.error ? [] : (items() ?? []);
    const orgs = new Map<string, { id: string; name: string }>();
    for (const item of list) if (!member.has(item.orgId)) orgs.set(item.orgId, { id: item.orgId, name: item.orgName });
    return [...orgs.values()];
  };
  return (
    <div class="stack">
      <Title>Shared with me · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">Shared with me</h1>
      </header>
      <Switch fallback={<p class="muted">Loading…</p>}>
        <Match when={items.error}>{(error) => <LoadFailed what="what was shared with you" problem={problemOf(error())} onRetry={() => void refetch()} />}</Match>
        <Match when={items()?.length === 0}>
          <EmptyState title="Nothing shared with you yet">
            <p>When someone shares a dashboard with your email address, it appears here.</p>
          </EmptyState>
        </Match>
        <Match when={items()}>
          {(list) => (
            <ul class="share-list" aria-label="Shared with me">
              <For each={list()}>
                {(item) => (
                  <li class="share-list__item">
                    <span class="share-list__who">
                      {item.dashboard ? (
                        <Link href={`/shared/${item.orgId}/${item.projectId}/${item.dashboard.slug}`}>{item.dashboard.title}</Link>
                      ) : (
                        <strong>{item.projectName} (whole project)</strong>
                      )}
                    </span>
                    <span class="share-list__why">
                      {item.orgName} › {item.projectName}
                    </span>
                    <Badge tone={item.role === "edit" ? "accent" : "neutral"}>{item.role === "edit" ? "Can edit" : "Can view"}</Badge>
                  </li>
                )}
              </For>
            </ul>
          )}
        </Match>
      </Switch>
      <Show when={sharedOrgs().length > 0}>
        <TokensSection
          scope={{
            id: "shared-tokens",
            title: "Access tokens for what is shared with you",
            lede: "Let the Atrium CLI or an AI agent (MCP client) act as you in an organization where something is shared with you. A token reaches only what is shared with you there, and stops reaching it when the share ends.",
            orgs: sharedOrgs,
          }}
        />
      </Show>
    </div>
  );
}
