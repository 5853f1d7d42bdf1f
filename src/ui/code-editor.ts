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
import { bracketMatching, defaultHighlightStyle, HighlightStyle, indentOnInput, syntaxHighlighting } from "@codemirror/language";
import type { Extension } from "@codemirror/state";
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from "@codemirror/view";

/**
 * CodeMirror's default token colours are made for a white page and fail contrast on the dark
 * theme's surface. Each becomes a `light-dark()` pair, as the app's own palette: CodeMirror's
 * colour (darkened where it was under 4.5:1 on white) and a light tint of it for the dark theme.
 */
const TOKEN_COLOURS: Record<string, string> = {
  "#404740": "light-dark(#404740, #c3cbc3)",
  "#708": "light-dark(#708, #e0a8ff)",
  "#219": "light-dark(#219, #9fbcff)",
  "#164": "light-dark(#164, #86d9a8)",
  "#a11": "light-dark(#a11, #ffa3a3)",
  "#e40": "light-dark(#b30, #ffb27a)",
  "#00f": "light-dark(#00f, #9cb8ff)",
  "#30a": "light-dark(#30a, #c9b0ff)",
  "#085": "light-dark(#085, #7fdcb8)",
  "#167": "light-dark(#167, #86d3dc)",
  "#256": "light-dark(#256, #94d2e0)",
  "#00c": "light-dark(#00c, #a8beff)",
  "#940": "light-dark(#940, #e6bd7a)",
  "#f00": "light-dark(#c00, #ff8f8f)",
};

/** CodeMirror's default highlighting with colours that pass contrast in both themes. */
export const atriumHighlightStyle = HighlightStyle.define(
  defaultHighlightStyle.specs.map((spec) => (typeof spec.color === "string" ? { ...spec, color: TOKEN_COLOURS[spec.color] ?? spec.color } : spec)),
);

export const editorEssentials: Extension = [
  lineNumbers(),
  highlightActiveLineGutter(),
  highlightActiveLine(),
  drawSelection(),
  indentOnInput(),
  bracketMatching(),
  closeBrackets(),
  syntaxHighlighting(atriumHighlightStyle, { fallback: true }),
  autocompletion({ activateOnTyping: true }),
  EditorView.lineWrapping,
  history(),
  keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
  // CodeMirror's own placeholder grey (#888) fails contrast on the light surface; the muted text colour passes in both themes.
  EditorView.theme({ ".cm-placeholder": { color: "var(--text-muted)" } }),
  // Stated, so tools see the scrolling editor holds a focusable element (it is in the tab order either way).
  EditorView.contentAttributes.of({ tabindex: "0" }),
];
