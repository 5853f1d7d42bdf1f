import { createSignal } from "solid-js";
import { TextField, type FormController } from "./components";
import { slugify, SLUG_MAX } from "./slug";

/**
 * A name field and an address (slug) field suggested from it. The suggestion follows the name
 * until the person edits the address themselves.
 */
export function NameAndSlugFields(props: {
  form: FormController;
  nameLabel: string;
  namePlaceholder?: string;
  slugLabel: string;
  /** Shown before the slug, e.g. `atrium.example/o/`. */
  slugPrefix: string;
  slugHint: string;
}) {
  const [slug, setSlug] = createSignal("");
  const [edited, setEdited] = createSignal(false);
  return (
    <>
      <TextField
        form={props.form}
        name="name"
        label={props.nameLabel}
        placeholder={props.namePlaceholder}
        autocomplete="off"
        required="Enter a name."
        maxLength={100}
        onInput={(event) => {
          if (!edited()) setSlug(slugify(event.currentTarget.value));
        }}
      />
      <TextField
        form={props.form}
        name="slug"
        label={props.slugLabel}
        hint={
          <>
            <span class="slug-preview">
              {props.slugPrefix}
              <strong>{slug() || "…"}</strong>
            </span>{" "}
            {props.slugHint}
          </>
        }
        value={slug()}
        autocomplete="off"
        autocapitalize="off"
        spellcheck={false}
        maxLength={SLUG_MAX}
        required="Choose an address."
        class="input--mono"
        onInput={(event) => {
          setEdited(event.currentTarget.value !== "");
          setSlug(event.currentTarget.value);
        }}
      />
    </>
  );
}
