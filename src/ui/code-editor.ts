/**
 * What every CodeMirror 6 editor in Atrium starts from (the SQL console, the dashboard YAML
 * editor, the chart builder): line numbers, highlighting, bracket help, autocomplete, undo
 * history and the default keys. Tab is left to the browser, so keyboard users can leave the
 * editor. Import it only from lazily loaded components: CodeMirror stays out of first paint.
 *
 * Built from CodeMirror's core packages (the `codemirror` package of that name on the registry
 * is CodeMirror 5 republished, with no `basicSetup`).
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from "@codemirror/autocomplete";
import { defaultKeymap, history, historyKeymap } from "@codemirror/commands";
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";

export const editorEssentials: Extension = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightActiveLine(),
  drawSelection(),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
  autocompletion({ activateOnTyping: true }),
  EditorView.lineWrapping,
  history(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
  // CodeMirror's own placeholder grey (#888) fails contrast on the light surface; the muted text colour passes in both themes.
  EditorView.theme({ ".cm-placeholder": { color: "var(--text-muted)" } }),
  // Stated, so tools see the scrolling editor holds a focusable element (it is in the tab order either way).
  EditorView.contentAttributes.of({ tabindex: "0" }),
];
