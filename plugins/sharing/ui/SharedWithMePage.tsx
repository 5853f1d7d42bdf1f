/** "Shared with me": the dashboards and projects other people shared with me, wherever they are. */
import "./sharing.css";
import { Title } from "@solidjs/meta";
import { For, Match, Switch } from "solid-js";
import { Badge, EmptyState, Link } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { sharingApi } from "./api";

export default function SharedWithMePage() {
  const [items, { refetch }] = createBrowserResource(
    () => true,
    () => sharingApi.sharedWithMe.query().then((r) => r.items),
  );
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
    </div>
  );
}
