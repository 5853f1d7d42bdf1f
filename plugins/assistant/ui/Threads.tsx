/** The saved conversations: the list (open, rename, delete) and its dialogs. */
import { For, Show } from "solid-js";
import { Button, ConfirmDialog, createForm, Dialog, FormAlert, SubmitButton, TextField } from "~/ui/components";
import type { AssistantStore, ThreadItem } from "./assistant-store";

export function ThreadList(props: { store: AssistantStore }) {
  const store = () => props.store;
  return (
    <div id="assistant-threads" class="assistant__threads">
      <Show when={store().threadError()}>
        <p class="inline-error" role="alert">
          {store().threadError()}
        </p>
      </Show>
      <Show when={store().threads()?.length} fallback={<p class="muted">No saved conversations here yet.</p>}>
        <ul class="assistant__thread-list" aria-label="Conversations">
          <For each={store().threads()}>
            {(item) => (
              <li class="assistant__thread" classList={{ "assistant__thread--current": item.id === store().threadId() }}>
                <button type="button" class="link assistant__thread-open" aria-current={item.id === store().threadId() ? "true" : undefined} onClick={() => void store().openThread(item)}>
                  {item.title}
                </button>
                <span class="inline-actions">
                  <Button variant="ghost" class="btn--compact" aria-label={`Rename “${item.title}”`} onClick={() => store().setRenaming(item)}>
                    Rename
                  </Button>
                  <Button variant="ghost" class="btn--compact" aria-label={`Delete “${item.title}”`} onClick={() => store().setDeleting(item)}>
                    Delete
                  </Button>
                </span>
              </li>
            )}
          </For>
        </ul>
      </Show>
    </div>
  );
}

/** Rename and delete, asked in dialogs. */
export function ThreadDialogs(props: { store: AssistantStore }) {
  return (
    <>
      <RenameDialog item={props.store.renaming()} onClose={() => props.store.setRenaming(null)} rename={(title) => props.store.renameThread(title)} />
      <ConfirmDialog
        open={!!props.store.deleting()}
        onClose={() => props.store.setDeleting(null)}
        title="Delete conversation"
        description={<>“{props.store.deleting()?.title}” and its messages will be deleted for good.</>}
        confirmLabel="Delete conversation"
        pendingLabel="Deleting…"
        tone="danger"
        confirm={() => props.store.deleteThread()}
      />
    </>
  );
}

function RenameDialog(props: { item: ThreadItem | null; onClose: () => void; rename: (title: string) => Promise<void> }) {
  const form = createForm({
    action: async (data) => {
      await props.rename(String(data.get("title") ?? ""));
      form.clear();
      props.onClose();
    },
  });
  const close = () => {
    if (form.pending()) return;
    form.clear();
    props.onClose();
  };
  return (
    <Dialog open={!!props.item} onClose={close} title="Rename conversation" description="Give this conversation a name you will recognize.">
      <form class="form" onSubmit={(event) => form.onSubmit(event)} novalidate>
        <TextField form={form} name="title" label="Name" required="Give the conversation a name" value={props.item?.title ?? ""} maxLength={120} />
        <FormAlert form={form} />
        <div class="form__actions">
          <SubmitButton form={form} pendingLabel="Renaming…">
            Rename
          </SubmitButton>
          <Button onClick={close} disabled={form.pending()}>
            Cancel
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
