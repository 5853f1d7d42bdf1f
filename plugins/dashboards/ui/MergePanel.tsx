/**
 * Two texts side by side with their differences marked (@codemirror/merge), read-only. Loaded
 * lazily: used for "Compare" after a conflict and for a proposed change.
 */
import { EditorState } from "@codemirror/state";
import { EditorView } from "@codemirror/view";
import { MergeView } from "@codemirror/merge";
import { yaml } from "@codemirror/lang-yaml";
import { PostgreSQL, sql } from "@codemirror/lang-sql";
import { syntaxHighlighting } from "@codemirror/language";
import { onCleanup, onMount } from "solid-js";
import { atriumHighlightStyle } from "~/ui/code-editor";

export default function MergePanel(props: { language: "yaml" | "sql"; a: string; b: string; aLabel: string; bLabel: string }) {
  let host!: HTMLDivElement;
  let merge: MergeView | undefined;
  onMount(() => {
    const extensions = (label: string) => [
      EditorState.readOnly.of(true),
      EditorView.editable.of(false),
      EditorView.lineWrapping,
      syntaxHighlighting(atriumHighlightStyle, { fallback: true }),
      props.language === "sql" ? sql({ dialect: PostgreSQL }) : yaml(),
      EditorView.contentAttributes.of({ "aria-label": label, tabindex: "0" }),
      EditorView.theme({
        "&": { fontSize: "13px", backgroundColor: "var(--surface)", color: "var(--text)" },
        ".cm-content": { fontFamily: "var(--font-mono)" },
        ".cm-changedLine": { backgroundColor: "var(--warning-soft)" },
      }),
    ];
    merge = new MergeView({
      parent: host,
      a: { doc: props.a, extensions: extensions(props.aLabel) },
      b: { doc: props.b, extensions: extensions(props.bLabel) },
      gutter: true,
      highlightChanges: true,
    });
  });
  onCleanup(() => merge?.destroy());
  return (
    <div class="stack">
      <div class="dash-compare" aria-hidden="true">
        <p class="field__label">{props.aLabel}</p>
        <p class="field__label">{props.bLabel}</p>
      </div>
      <div ref={host} class="dash-editor dash-merge" style={{ "max-height": "60vh", overflow: "auto" }} />
    </div>
  );
}
