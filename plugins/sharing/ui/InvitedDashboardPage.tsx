/**
 * An invited browser's view of a dashboard (`/view/<inviteId>`): read-only, its cookie is its
 * access; a form to ask the person who invited them for more access.
 */
import "./sharing.css";
import { Meta, Title } from "@solidjs/meta";
import { useParams } from "@solidjs/router";
import { createSignal, Match, onMount, Switch } from "solid-js";
import { Button } from "~/ui/components";
import { PublicCanvas } from "./PublicCanvas";
import { createPublicStore } from "./public-store";

export default function InvitedDashboardPage() {
  const params = useParams<{ inviteId: string }>();
  const store = createPublicStore(params.inviteId, undefined, "invite");
  onMount(() => void store.load());
  const failure = () => {
    const s = store.state();
    return s.kind === "failed" ? s.message : "";
  };
  return (
    <div class="public-dashboard">
      <Meta name="robots" content="noindex, nofollow" />
      <Switch>
        <Match when={store.state().kind === "loading"}>
          <Title>Shared dashboard · Atrium</Title>
          <p class="muted" role="status">
            Loading dashboard…
          </p>
        </Match>
        <Match when={store.state().kind === "gone" || store.state().kind === "refused"}>
          <Title>Not available · Atrium</Title>
          <div role="alert" class="stack">
            <h1 class="page-header__title">This dashboard is not available to this browser</h1>
            <p>The invitation may have been revoked or have ended, or it was opened in another browser. Ask the person who invited you for a new one.</p>
          </div>
        </Match>
        <Match when={store.state().kind === "failed"}>
          <div role="alert" class="stack">
            <h1 class="page-header__title">The dashboard could not be loaded</h1>
            <p>{failure()}</p>
            <Button onClick={() => void store.refresh()}>Try again</Button>
          </div>
        </Match>
        <Match when={store.state().kind === "view" && store.view()}>
          <PublicCanvas view={store.view()!} store={store} embedded />
          <AskForMore inviteId={params.inviteId} />
        </Match>
      </Switch>
    </div>
  );
}

function AskForMore(props: { inviteId: string }) {
  const [message, setMessage] = createSignal("");
  const [answer, setAnswer] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const ask = async () => {
    setBusy(true);
    try {
      const response = await fetch(`/api/sharing/invited/${encodeURIComponent(props.inviteId)}/ask`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ message: message() }) });
      const body = (await response.json().catch(() => null)) as { error?: { message: string } } | null;
      setAnswer(response.ok ? "Your request was sent to the person who invited you." : (body?.error?.message ?? "The request could not be sent. Try again."));
    } catch {
      setAnswer("The request could not be sent. Check your connection and try again.");
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="stack" aria-labelledby="ask-heading">
      <h2 id="ask-heading" class="share-heading">
        Need more?
      </h2>
      <label class="field__label" for="ask-message">
        Ask for more access (optional message)
      </label>
      <textarea id="ask-message" class="input" rows="2" maxlength="1000" onInput={(e) => setMessage(e.currentTarget.value)} />
      <div>
        <Button variant="secondary" onClick={() => void ask()} disabled={busy()}>
          {busy() ? "Sending…" : "Ask for more access"}
        </Button>
      </div>
      <p role="status" class="alert-region">
        {answer()}
      </p>
    </section>
  );
}
