/**
 * A signed embed at `/e/<token>`, framed by a site the project allows: the dashboard with no
 * session, navigation or editor. The server render already answered 401 for a refused token
 * (and set frame-ancestors from the project's allowed origins); this page says why in words.
 */
import "./sharing.css";
import { Meta, Title } from "@solidjs/meta";
import { useParams } from "@solidjs/router";
import { Match, onMount, Switch } from "solid-js";
import { Button } from "~/ui/components";
import { PublicCanvas } from "./PublicCanvas";
import { createPublicStore } from "./public-store";

export default function EmbedDashboardPage() {
  const params = useParams<{ token: string }>();
  const store = createPublicStore(params.token, undefined, "embed");
  onMount(() => void store.load());
  // Read from the store, never through a <Match>'s narrowed accessor (see PublicDashboardPage).
  const message = () => {
    const s = store.state();
    return s.kind === "refused" || s.kind === "failed" ? s.message : "";
  };
  return (
    <div class="public-dashboard public-dashboard--embed">
      <Meta name="robots" content="noindex, nofollow" />
      <Meta name="referrer" content="no-referrer" />
      <Switch>
        <Match when={store.state().kind === "loading"}>
          <Title>Embedded dashboard · Atrium</Title>
          <p class="muted" role="status">
            Loading dashboard…
          </p>
        </Match>
        <Match when={store.state().kind === "refused" || store.state().kind === "gone"}>
          <Title>Embed refused · Atrium</Title>
          <div role="alert" class="stack">
            <h1 class="page-header__title">This embed cannot be shown</h1>
            <p>{message() || "This dashboard is not available."}</p>
          </div>
        </Match>
        <Match when={store.state().kind === "failed"}>
          <div role="alert" class="stack">
            <h1 class="page-header__title">The dashboard could not be loaded</h1>
            <p>{message()}</p>
            <Button onClick={() => void store.refresh()}>Try again</Button>
          </div>
        </Match>
        <Match when={store.state().kind === "view" && store.view()}>
          <PublicCanvas view={store.view()!} store={store} embedded />
        </Match>
      </Switch>
    </div>
  );
}
