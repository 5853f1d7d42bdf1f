/** The organization's "Shared links": every public link of every project, for its admins (`sharing.oversee`). */
import "./sharing.css";
import { Title } from "@solidjs/meta";
import { Match, Switch } from "solid-js";
import { EmptyState } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { useCurrentOrg } from "~/ui/workspace";
import { sharingApi } from "./api";
import { LinksTable } from "./LinksTable";

// A failed resource throws where it is read: every read below comes after a look at `data.error`.
export default function OrgLinksPage() {
  const org = useCurrentOrg();
  const [data, { refetch }] = createBrowserResource(
    () => org().id,
    (orgId) => sharingApi.links.org.query({ orgId }),
  );
  return (
    <div class="stack">
      <Title>Shared links · {org().name} · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">Shared links</h1>
        <p class="muted">Every public link of this organization's dashboards, with its views. Links live at most {(!data.error && data()?.maxLinkDays) || "…"} days.</p>
      </header>
      <Switch fallback={<p class="muted">Loading…</p>}>
        <Match when={data.error}>{(error) => <LoadFailed what="the organization's links" problem={problemOf(error())} onRetry={() => void refetch()} />}</Match>
        <Match when={data()?.links.length === 0}>
          <EmptyState title="No public links yet">
            <p>Links made from a dashboard's Share button appear here.</p>
          </EmptyState>
        </Match>
        <Match when={data()}>{(d) => <LinksTable links={d().links} label="The organization's public links" showCreator onChanged={refetch} />}</Match>
      </Switch>
    </div>
  );
}
