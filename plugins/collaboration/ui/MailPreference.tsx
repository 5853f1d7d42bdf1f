/** Slot `account.sections`: which comment news arrive by email (all, mentions only, none). */
import { createSignal, For, Show } from "solid-js";
import { Alert, BusyLabel, Button, Notice } from "~/ui/components";
import { createBrowserResource } from "~/ui/data";
import { problemOf } from "~/ui/problems";
import { trpc } from "~/ui/trpc";

type Choice = "all" | "mentions" | "off";
const LABELS: Record<Choice, string> = {
  all: "Mentions and replies in my threads",
  mentions: "Only when someone mentions me",
  off: "No emails",
};

export default function MailPreference() {
  const [current, { refetch }] = createBrowserResource(
    () => true,
    () => trpc.collaboration.mailPreference.get.query(),
  );
  const [choice, setChoice] = createSignal<Choice | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [saved, setSaved] = createSignal(false);
  const selected = () => choice() ?? current()?.email ?? "all";
  const save = async (event: SubmitEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      await trpc.collaboration.mailPreference.set.mutate({ email: selected() });
      await refetch();
      setSaved(true);
    } catch (e) {
      setError(problemOf(e).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section id="comment-emails" class="panel stack" aria-labelledby="comment-emails-title">
      <h2 id="comment-emails-title" class="panel__title">
        Comment emails
      </h2>
      <p class="muted">At most one email every 10 minutes per organization, with everything new.</p>
      <form class="stack" onSubmit={(e) => void save(e)}>
        <fieldset class="collab-choices">
          <legend class="visually-hidden">Email me about comments</legend>
          <For each={Object.keys(LABELS) as Choice[]}>
            {(value) => (
              <label class="checkbox">
                <input type="radio" name="comment-emails" value={value} checked={selected() === value} onChange={() => setChoice(value)} />
                {LABELS[value]}
              </label>
            )}
          </For>
        </fieldset>
        <Alert message={error()} />
        <Show when={saved()}>
          <Notice tone="success">Saved.</Notice>
        </Show>
        <div>
          <Button type="submit" disabled={busy()}>
            <BusyLabel busy={busy()} label="Saving…">
              Save
            </BusyLabel>
          </Button>
        </div>
      </form>
    </section>
  );
}
