/**
 * The public page at `/s/<token>`: a dashboard for anyone with the link, with no session, no
 * navigation, no editor and no SQL. It asks the link's data route for everything it shows;
 * variables the link fixes are shown as text, the others as controls.
 */
import "./sharing.css";
import { Meta, Title } from "@solidjs/meta";
import { useParams } from "@solidjs/router";
import { Match, onMount, Show, Switch } from "solid-js";
import { Button, createForm, FormAlert, SubmitButton, TextField } from "~/ui/components";
import { PublicCanvas } from "./PublicCanvas";
import { createPublicStore } from "./public-store";

export default function PublicDashboardPage() {
  const params = useParams<{ token: string }>();
  const store = createPublicStore(params.token);
  onMount(() => void store.load());
  // Read from the store, never through a <Match>'s narrowed accessor: that throws ("stale read")
  // when a branch's computations run once more as the page switches to another branch.
  const failure = () => {
    const s = store.state();
    return s.kind === "failed" ? s.message : "";
  };
  const wrongPassword = () => {
    const s = store.state();
    return s.kind === "password" && s.wrong;
  };
  return (
    <div class="public-dashboard">
      <Meta name="robots" content="noindex, nofollow" />
      <Meta name="referrer" content="no-referrer" />
      <Switch>
        <Match when={store.state().kind === "loading"}>
          <Title>Shared dashboard · Atrium</Title>
          <p class="muted" role="status">
            Loading dashboard…
          </p>
        </Match>
        <Match when={store.state().kind === "gone"}>
          <Title>Link not available · Atrium</Title>
          <div role="alert" class="stack">
            <h1 class="page-header__title">This link is not available</h1>
            <p>It may have expired or been turned off. Ask the person who shared it for a new one.</p>
          </div>
        </Match>
        <Match when={store.state().kind === "failed"}>
          <div role="alert" class="stack">
            <h1 class="page-header__title">The dashboard could not be loaded</h1>
            <p>{failure()}</p>
            <Button onClick={() => void store.refresh()}>Try again</Button>
          </div>
        </Match>
        <Match when={store.state().kind === "password"}>
          <PasswordForm wrong={wrongPassword()} onSubmit={store.unlockWith} />
        </Match>
        <Match when={store.state().kind === "view" && store.view()}>
          <PublicCanvas view={store.view()!} store={store} />
        </Match>
      </Switch>
    </div>
  );
}

function PasswordForm(props: { wrong: boolean; onSubmit: (password: string) => Promise<void> }) {
  const form = createForm({ action: (data) => props.onSubmit(String(data.get("password") ?? "")) });
  return (
    <form class="stack public-password" onSubmit={form.onSubmit} novalidate>
      <Title>Password needed · Atrium</Title>
      <h1 class="page-header__title">This dashboard needs a password</h1>
      <TextField form={form} name="password" type="password" label="Password" required="Enter the password you were given" autocomplete="off" />
      <Show when={props.wrong}>
        <p role="alert" class="field__error">
          That password is not right.
        </p>
      </Show>
      <FormAlert form={form} />
      <SubmitButton form={form} pendingLabel="Opening…">
        Open
      </SubmitButton>
    </form>
  );
}
