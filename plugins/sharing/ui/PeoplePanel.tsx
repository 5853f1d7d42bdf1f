/** The People tab: who has access and why (a page at a time, searchable), share with an address at view or edit, take a share back. */
import { For, onMount, Show } from "solid-js";
import { Badge, Button, createForm, FormAlert, Notice, SelectField, SubmitButton, TextField } from "~/ui/components";
import { LoadFailed } from "~/ui/LoadStates";
import { MemberSearch } from "~/ui/settings/MemberSearch";
import { sharingApi } from "./api";
import { createPeopleStore } from "./people-store";

export function PeoplePanel(props: { scope: { orgId: string; projectId: string; slug: string } }) {
  const store = createPeopleStore(sharingApi, () => props.scope);
  onMount(() => void store.load());
  const form = createForm({
    async action(data, element) {
      await store.share(String(data.get("email") ?? ""), data.get("role") === "edit" ? "edit" : "view");
      element.reset();
    },
  });
  return (
    <div class="stack">
      <form class="share-form" onSubmit={form.onSubmit} novalidate>
        <TextField form={form} name="email" type="email" label="Email address" required="Enter an email address" autocomplete="off" />
        <SelectField
          form={form}
          name="role"
          label="Access"
          options={[
            { value: "view", label: "Can view" },
            { value: "edit", label: "Can edit" },
          ]}
        />
        <SubmitButton form={form} pendingLabel="Sharing…">
          Share
        </SubmitButton>
        <FormAlert form={form} />
      </form>
      <Show when={store.notice()}>{(text) => <Notice>{text()}</Notice>}</Show>
      <Show when={store.loadProblem()}>{(p) => <LoadFailed what="who has access" problem={p()} onRetry={() => void store.load()} />}</Show>
      <h3 class="share-heading">Who has access</h3>
      <MemberSearch id={`share-people-search-${props.scope.slug}`} label="Find a person" onSearch={store.setSearch} />
      <div role="alert" class="alert-region">
        {store.rowProblem()}
      </div>
      <Show when={store.entries()} fallback={<p class="muted">Loading…</p>}>
        {(entries) => (
          <ul class="share-list" aria-label="Who has access">
            <For each={entries()}>
              {(entry) => (
                <li class="share-list__item">
                  <span class="share-list__who">
                    <strong>{entry.name ?? entry.email}</strong>
                    <Show when={entry.name}>
                      <span class="muted"> {entry.email}</span>
                    </Show>
                  </span>
                  <span class="share-list__why">{entry.why}</span>
                  <Show when={entry.pending}>
                    <Badge tone="warning">No account yet</Badge>
                  </Show>
                  <Show when={entry.grantId}>
                    <Button variant="ghost" class="btn--compact" onClick={() => void store.revoke(entry)} aria-label={`Remove access: ${entry.email}`}>
                      Remove
                    </Button>
                  </Show>
                </li>
              )}
            </For>
          </ul>
        )}
      </Show>
      <Show when={store.entries()?.length === 0 && store.search()}>
        <p class="muted">Nobody with access matches “{store.search()}”.</p>
      </Show>
      <Show when={store.hasMore()}>
        <Button variant="secondary" disabled={store.loadingMore()} onClick={() => void store.loadMore()}>
          {store.loadingMore() ? "Loading…" : "Show more people"}
        </Button>
      </Show>
    </div>
  );
}
