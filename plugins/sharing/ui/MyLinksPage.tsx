/** "My public links": the links a person made, in every organization, with their views. */
import "./sharing.css";
import { Title } from "@solidjs/meta";
import { Match, Switch } from "solid-js";
import { EmptyState } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { LoadFailed } from "~/ui/LoadStates";
import { problemOf } from "~/ui/problems";
import { sharingApi } from "./api";
import { LinksTable } from "./LinksTable";

export default function MyLinksPage() {
  const [links, { refetch }] = createBrowserResource(
    () => true,
    () => sharingApi.links.mine.query().then((r) => r.links),
  );
  return (
    <div class="stack">
      <Title>My public links · Atrium</Title>
      <header class="page-header">
        <h1 class="page-header__title">My public links</h1>
      </header>
      <Switch fallback={<p class="muted">Loading…</p>}>
        <Match when={links.error}>{(error) => <LoadFailed what="your links" problem={problemOf(error())} onRetry={() => void refetch()} />}</Match>
        <Match when={links()?.length === 0}>
          <EmptyState title="You have not made a public link">
            <p>Make one from a dashboard's Share button, under Public link.</p>
          </EmptyState>
        </Match>
        <Match when={links()}>{(list) => <LinksTable links={list()} label="My public links" onChanged={refetch} />}</Match>
      </Switch>
    </div>
  );
}
