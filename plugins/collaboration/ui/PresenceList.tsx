/** Avatars of the other people on a dashboard now (viewing or editing), or nothing when alone. */
import { For, Show } from "solid-js";
import { initialsOf, type PresentPerson } from "./live-store";

export function PresenceList(props: { others: PresentPerson[] }) {
  const label = (p: PresentPerson) => `${p.name}, ${p.editing ? "editing" : "viewing"}`;
  return (
    <Show when={props.others.length}>
      <section class="collab-presence" aria-label="Who is here">
        <span class="muted">Also here:</span>
        <ul class="collab-presence__list">
          <For each={props.others}>
            {(p) => (
              <li class="collab-presence__person" classList={{ "collab-presence__person--editing": p.editing }} title={label(p)}>
                <span class="avatar" aria-hidden="true">
                  {initialsOf(p.name)}
                </span>
                <span class="visually-hidden">{label(p)}</span>
              </li>
            )}
          </For>
        </ul>
      </section>
    </Show>
  );
}
