/**
 * The open editor, as other parts of the page may reach it: the dashboard editor (YAML) and
 * the chart builder (SQL) register themselves while mounted; the assistant reads what is
 * open and proposes a change, which the person accepts or rejects as a diff in the editor.
 *
 * One editor is "open" at a time (the most recently registered one still mounted).
 */
import { createSignal, onCleanup } from "solid-js";

export interface OpenEditor {
  /** Stable per mounted editor, e.g. `dashboard:<slug>` or `chart-builder`. */
  readonly id: string;
  readonly language: "yaml" | "sql";
  /** Shown to the person and the assistant: "Dashboard revenue.yaml", "Chart SQL". */
  readonly label: string;
  /** The text in the editor now (unsaved edits included). */
  getValue(): string;
  /**
   * Shows `next` as a diff against the current text, with Accept and Reject. Resolves true
   * when accepted (the editor then holds `next`), false when rejected or replaced.
   */
  propose(next: string, note?: string): Promise<boolean>;
}

const [editors, setEditors] = createSignal<OpenEditor[]>([]);

/** The editor the person is working in, or null. */
export function openEditor(): OpenEditor | null {
  const list = editors();
  return list[list.length - 1] ?? null;
}

/** Registers an editor for the lifetime of the calling component (call during setup). */
export function useRegisterEditor(editor: OpenEditor): void {
  setEditors((list) => [...list.filter((e) => e.id !== editor.id), editor]);
  onCleanup(() => setEditors((list) => list.filter((e) => e !== editor)));
}
