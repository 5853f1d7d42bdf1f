/** A search field ("Find a member", "Name or email" unless told otherwise): reports its trimmed text a quarter second after typing stops. */
import { onCleanup } from "solid-js";

export function MemberSearch(props: { id: string; onSearch: (text: string) => void; label?: string; placeholder?: string }) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const changed = (value: string) => {
    clearTimeout(timer);
    timer = setTimeout(() => props.onSearch(value.trim()), 250);
  };
  return (
    <div class="field">
      <label class="field__label" for={props.id}>
        {props.label ?? "Find a member"}
      </label>
      <input id={props.id} class="input" type="search" placeholder={props.placeholder ?? "Name or email"} onInput={(e) => changed(e.currentTarget.value)} />
    </div>
  );
}
