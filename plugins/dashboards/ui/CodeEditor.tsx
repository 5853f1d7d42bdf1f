/**
 * A CodeMirror 6 editor for YAML (the dashboard document) or SQL (a chart's query), loaded
 * lazily. Errors given with a line (and column) are marked in place: the line is tinted, the
 * text from the column on is underlined, and the message is the line's title. Tab is left to
 * the page (Escape, then Tab, leaves the editor); Ctrl/Cmd+Enter runs `onRun`, Ctrl/Cmd+S
 * `onSave`.
 */
import { indentWithTab } from "@codemirror/commands";
import { PostgreSQL, sql, type SQLNamespace } from "@codemirror/lang-sql";
import { yaml } from "@codemirror/lang-yaml";
import { Compartment, Prec, RangeSetBuilder, StateEffect, StateField, type Extension } from "@codemirror/state";
import { Decoration, EditorView, keymap, type DecorationSet } from "@codemirror/view";
import { createEffect, on, onCleanup, onMount } from "solid-js";
import { editorEssentials } from "~/ui/code-editor";

export interface EditorMark {
  line: number;
  column?: number;
  message: string;
}

export interface EditorHandle {
  getValue(): string;
  /** Replaces the whole text (an undoable change). */
  setValue(text: string): void;
  focus(): void;
}

export interface CodeEditorProps {
  language: "yaml" | "sql";
  initial: string;
  /** For SQL: schema → table → columns, for autocomplete. */
  schema?: SQLNamespace;
  labelledBy: string;
  describedBy?: string;
  marks?: readonly EditorMark[];
  onChange: (text: string) => void;
  onRun?: () => void;
  onSave?: () => void;
  onReady?: (handle: EditorHandle) => void;
  minHeight?: string;
}

const setMarks = StateEffect.define<readonly EditorMark[]>();

function decorate(view: { state: EditorView["state"] }, marks: readonly EditorMark[]): DecorationSet {
  const doc = view.state.doc;
  const byLine = new Map<number, EditorMark>();
  for (const m of marks) if (m.line >= 1 && m.line <= doc.lines && !byLine.has(m.line)) byLine.set(m.line, m);
  const builder = new RangeSetBuilder<Decoration>();
  for (const lineNo of [...byLine.keys()].sort((a, b) => a - b)) {
    const mark = byLine.get(lineNo)!;
    const line = doc.line(lineNo);
    builder.add(line.from, line.from, Decoration.line({ class: "cm-error-line", attributes: { title: mark.message } }));
    const from = Math.min(line.to, line.from + Math.max(0, (mark.column ?? 1) - 1));
    const start = from < line.to ? from : line.from + (line.text.length - line.text.trimStart().length);
    if (start < line.to) builder.add(start, line.to, Decoration.mark({ class: "cm-error-mark" }));
  }
  return builder.finish();
}

const marksField = StateField.define<{ marks: readonly EditorMark[]; decorations: DecorationSet }>({
  create: () => ({ marks: [], decorations: Decoration.none }),
  update(value, tr) {
    let marks = value.marks;
    for (const e of tr.effects) if (e.is(setMarks)) marks = e.value;
    if (marks === value.marks && !tr.docChanged) return value;
    return { marks, decorations: decorate(tr, marks) };
  },
  provide: (field) => EditorView.decorations.from(field, (v) => v.decorations),
});


export default function CodeEditor(props: CodeEditorProps) {
  let host!: HTMLDivElement;
  let view: EditorView | undefined;
  const language = new Compartment();
  const languageFor = (): Extension =>
    props.language === "sql" ? sql({ dialect: PostgreSQL, schema: props.schema ?? {}, defaultSchema: "public", upperCaseKeywords: false }) : yaml();

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
                props.onRun?.();
                return !!props.onRun;
              },
            },
            {
              key: "Mod-s",
              preventDefault: true,
              run: () => {
                props.onSave?.();
                return true;
              },
            },
            // YAML is indentation: Tab indents there, Escape then Tab leaves.
            ...(props.language === "yaml" ? [indentWithTab] : []),
          ]),
        ),
        editorEssentials,
        language.of(languageFor()),
        marksField,
        EditorView.contentAttributes.of({
          "aria-labelledby": props.labelledBy,
          ...(props.describedBy ? { "aria-describedby": props.describedBy } : {}),
          "aria-multiline": "true",
        }),
        // eslint-disable-next-line solid/reactivity
        EditorView.updateListener.of((update) => {
          if (update.docChanged) props.onChange(update.state.doc.toString());
        }),
        EditorView.theme({
          "&": { fontSize: "14px", backgroundColor: "var(--surface)", color: "var(--text)", borderRadius: "var(--radius-sm)" },
          "&.cm-focused": { outline: "2px solid var(--focus)", outlineOffset: "1px" },
          ".cm-content": { fontFamily: "var(--font-mono)", minHeight: props.minHeight ?? "16em", caretColor: "var(--text)" },
          ".cm-scroller": { overflow: "auto" },
          ".cm-gutters": { backgroundColor: "var(--surface-sunken)", color: "var(--text-muted)", borderRight: "1px solid var(--border)" },
          ".cm-activeLine, .cm-activeLineGutter": { backgroundColor: "var(--hover)" },
          ".cm-tooltip": { backgroundColor: "var(--surface)", color: "var(--text)", border: "1px solid var(--border-strong)" },
        }),
      ],
    });
    props.onReady?.({
      getValue: () => view?.state.doc.toString() ?? "",
      setValue: (text) => {
        if (!view) return;
        view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      },
      focus: () => view?.focus(),
    });
  });
  createEffect(
    on(
      () => props.marks,
      (marks) => view?.dispatch({ effects: setMarks.of(marks ?? []) }),
    ),
  );
  createEffect(
    on(
      () => props.schema,
      () => view?.dispatch({ effects: language.reconfigure(languageFor()) }),
      { defer: true },
    ),
  );
  onCleanup(() => view?.destroy());

  return <div ref={host} class="dash-editor" />;
}
