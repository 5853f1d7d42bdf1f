/**
 * The SQL editor: CodeMirror 6 with PostgreSQL highlighting and autocomplete from the chosen
 * source's tables. Loaded lazily (CodeMirror is most of this page's code). Labelled by the
 * console's heading; Tab is left to the page (Escape, then Tab, leaves the editor in any case);
 * Ctrl/Cmd+Enter runs the query.
 * The common setup is src/ui/code-editor.ts.
 */
import { PostgreSQL, sql, type SQLNamespace } from "@codemirror/lang-sql";
import { Compartment, Prec } from "@codemirror/state";
import { EditorView, keymap, placeholder } from "@codemirror/view";
import { createEffect, on, onCleanup, onMount } from "solid-js";
import { editorEssentials } from "~/ui/code-editor";

export interface SqlEditorProps {
  initial: string;
  placeholder: string;
  /** Schema → table → column names. */
  schema: SQLNamespace;
  labelledBy: string;
  describedBy: string;
  invalid: boolean;
  onChange: (text: string) => void;
  onRun: () => void;
}


export default function SqlEditor(props: SqlEditorProps) {
  let host!: HTMLDivElement;
  let view: EditorView | undefined;
  const language = new Compartment();
  const attributes = new Compartment();
  const languageFor = (schema: SQLNamespace) => sql({ dialect: PostgreSQL, schema, defaultSchema: "public", upperCaseKeywords: false });
  const attributesFor = (invalid: boolean) =>
    EditorView.contentAttributes.of({
      "aria-labelledby": props.labelledBy,
      "aria-describedby": props.describedBy,
      "aria-multiline": "true",
      ...(invalid ? { "aria-invalid": "true" } : {}),
    });

  onMount(() => {
    view = new EditorView({
      parent: host,
      doc: props.initial,
      extensions: [
        Prec.highest(
          keymap.of([
            {
              key: "Mod-Enter",
              run: () => {
                props.onRun();
                return true;
              },
            },
          ]),
        ),
        editorEssentials,
        placeholder(props.placeholder),
        language.of(languageFor(props.schema)),
        attributes.of(attributesFor(props.invalid)),
        // CodeMirror calls this on every change; it reads the current handler each time.
        // eslint-disable-next-line solid/reactivity
        EditorView.updateListener.of((update) => {
          if (update.docChanged) props.onChange(update.state.doc.toString());
        }),
        EditorView.theme({
          "&": { fontSize: "14px", border: "1px solid var(--input-border)", borderRadius: "var(--radius-sm)", backgroundColor: "var(--surface)", color: "var(--text)" },
          "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "1px" },
          ".cm-content": { fontFamily: "var(--font-mono)", minHeight: "8em", caretColor: "var(--text)" },
          ".cm-gutters": { backgroundColor: "var(--surface-sunken)", color: "var(--text-muted)", borderRight: "1px solid var(--border)" },
          ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--hover)" },
          ".cm-tooltip": { backgroundColor: "var(--surface)", color: "var(--text)", border: "1px solid var(--border-strong)" },
        }),
      ],
    });
  });
  createEffect(
    on(
      () => props.schema,
      (schema) => view?.dispatch({ effects: language.reconfigure(languageFor(schema)) }),
      { defer: true },
    ),
  );
  createEffect(
    on(
      () => props.invalid,
      (invalid) => view?.dispatch({ effects: attributes.reconfigure(attributesFor(invalid)) }),
      { defer: true },
    ),
  );
  onCleanup(() => view?.destroy());

  return <div ref={host} class="sql-editor" />;
}
