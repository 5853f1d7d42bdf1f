/** Slot `org.home.sections`: the latest few things that happened to the org's dashboards, with a link to all of it. */
import { A } from "@solidjs/router";
import { Show } from "solid-js";
import { Loaded } from "~/ui/LoadStates";
import { useCurrentOrg } from "~/ui/workspace";
import { ActivityList } from "./ActivityList";
import { createActivityFeed } from "./activity-store";

export default function LatestActivity() {
  const org = useCurrentOrg();
  const feed = createActivityFeed(() => ({ orgId: org().id }), 5);
  return (
    <section class="stack" aria-labelledby="latest-activity">
      <div class="toolbar">
        <h2 id="latest-activity" class="toolbar__title">
          Latest activity
        </h2>
        <A href={`/o/${org().slug}/activity`} class="link">
          All activity
        </A>
      </div>
      <Loaded of={feed.first} what="the latest activity" onRetry={() => void feed.refetch()}>
        {(page) => (
          <Show when={page().items.length > 0} fallback={<p class="muted">Nothing yet. Saves, comments, reviews and shares of dashboards show up here.</p>}>
            <ActivityList items={page().items} orgSlug={org().slug} showProject label="Latest activity" />
          </Show>
        )}
      </Loaded>
    </section>
  );
}
