import { A } from "@solidjs/router";
import { For, Show } from "solid-js";
import { createBrowserResource } from "~/ui/data";
import { formatDate } from "~/ui/format";
import { Loaded } from "~/ui/LoadStates";
import { trpc } from "~/ui/trpc";
import { useCurrentOrg } from "~/ui/workspace";

/** Slot `org.home.sections`: the dashboards the member changed or saw change most recently, across the org's projects. */
export default function RecentDashboards() {
  const org = useCurrentOrg();
  const [recent, { refetch }] = createBrowserResource(
    () => org().id,
    (orgId) => trpc.dashboards.recent.query({ orgId, limit: 6 }),
  );
  return (
    <section class="stack" aria-labelledby="recent-dashboards">
      <div class="toolbar">
        <h2 id="recent-dashboards" class="toolbar__title">
          Recent dashboards
        </h2>
      </div>
      <Loaded of={recent} what="recent dashboards" onRetry={() => void refetch()}>
        {(result) => (
          <Show when={result().items.length > 0} fallback={<p class="muted">No dashboards yet. Open a project to create one, or ask the assistant.</p>}>
            <ul class="cards cards--compact" aria-label="Recent dashboards">
              <For each={result().items}>
                {(item) => (
                  <li class="card">
                    <div class="card__head">
                      <A href={`/o/${org().slug}/p/${item.projectSlug}/d/${item.slug}`} class="card__link" activeClass="" inactiveClass="">
                        {item.title}
                      </A>
                    </div>
                    <p class="card__meta">
                      {item.projectName} · updated {formatDate(item.updatedAt)}
                    </p>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Loaded>
    </section>
  );
}

