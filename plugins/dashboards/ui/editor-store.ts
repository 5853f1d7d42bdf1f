/**
 * The dashboard editor's state, without a page: the YAML being edited against the version it
 * was loaded at (dirty when they differ), problems found as you type (debounced, with the same
 * checks as the server), Save with that version, and the conflict when someone saved a newer one
 * (Reload takes theirs; Compare loads theirs beside mine; Keep mine saves on top of theirs).
 * Plain signals and functions, so the logic runs (and is tested) without a browser.
 */
import { createSignal } from "solid-js";
import type * as DocumentModuleType from "../document";
import { currentVersionOf, problemOf, specErrorsOf, type DashboardRecord, type SpecError } from "./api";
import type { EditorSession } from "~/ui/plugin-ui";
import type { EditorHandle } from "./CodeEditor";

type DocumentModule = typeof DocumentModuleType;

export interface EditorDependencies {
  /** The dashboard as the page loaded it. */
  record: DashboardRecord;
  scope: { orgId: string; projectId: string };
  api: {
    update(input: { orgId: string; projectId: string; slug: string; yaml: string; version: number; message?: string }): Promise<{ version: number }>;
    get(input: { orgId: string; projectId: string; slug: string }): Promise<DashboardRecord>;
  };
  /** Tells the person what happened (a toast in the page). */
  notify?: (title: string) => void;
  /** The document module (parser); loaded on the first check, not with the page. */
  loadDocument?: () => Promise<DocumentModule>;
  /** How long typing must pause before the text is checked. */
  checkDelayMs?: number;
}

export type EditorStore = ReturnType<typeof createEditorStore>;

export function createEditorStore(deps: EditorDependencies) {
  const loadDocument = deps.loadDocument ?? (() => import("../document"));
  const delay = deps.checkDelayMs ?? 300;
  const slug = deps.record.slug;

  const [text, setTextSignal] = createSignal(deps.record.yaml);
  const [saved, setSaved] = createSignal({ yaml: deps.record.yaml, version: deps.record.version });
  const [errors, setErrors] = createSignal<SpecError[]>([]);
  const [checking, setChecking] = createSignal(false);
  const [saving, setSaving] = createSignal(false);
  const [saveError, setSaveError] = createSignal<string | null>(null);
  const [message, setMessage] = createSignal("");
  const [conflict, setConflict] = createSignal<{ version: number | null } | null>(null);
  const [theirs, setTheirs] = createSignal<DashboardRecord | null>(null);
  const [comparing, setComparing] = createSignal(false);
  const [readOnly, setReadOnly] = createSignal(false);
  let handle: EditorHandle | undefined;

  const dirty = () => text() !== saved().yaml;

  // Only the newest check may report: an older one finishing late would show stale problems.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let checkSeq = 0;
  const scheduleCheck = (value: string) => {
    clearTimeout(timer);
    setChecking(true);
    const mine = ++checkSeq;
    timer = setTimeout(() => {
      void loadDocument().then(({ parseDashboard, parseBoard }) => {
        if (mine !== checkSeq) return;
        // A dbt Charts board is checked as one (its format never changes).
        const parsed = deps.record.format === "dbt-charts" ? parseBoard(value, "dbt-charts") : parseDashboard(value);
        setErrors(parsed.ok ? [] : parsed.errors);
        setChecking(false);
      });
    }, delay);
  };

  /** The person typed: the editor already shows `value`. */
  const setText = (value: string) => {
    if (value === text()) return;
    setTextSignal(value);
    scheduleCheck(value);
  };
  /** Replaces the text from outside the editor (layout editor, accepted proposal, reload). */
  const replaceText = (value: string) => {
    handle?.setValue(value);
    setText(value);
  };

  const save = async (version = saved().version, yaml = text()) => {
    if (saving() || readOnly()) return;
    setSaving(true);
    setSaveError(null);
    try {
      const note = message().trim();
      const result = await deps.api.update({ ...deps.scope, slug, yaml, version, ...(note ? { message: note } : {}) });
      setSaved({ yaml, version: result.version });
      setMessage("");
      setConflict(null);
      setComparing(false);
      deps.notify?.(`Saved version ${result.version}`);
    } catch (error) {
      const problem = problemOf(error);
      if (problem.code === "CONFLICT") {
        setConflict({ version: currentVersionOf(problem) });
      } else {
        if (problem.code === "UNPROCESSABLE_CONTENT" || problem.httpStatus === 422) {
          const found = specErrorsOf(problem);
          if (found.length) setErrors((current) => (current.length ? current : found));
        }
        setSaveError(`Not saved: ${problem.message}`);
      }
    } finally {
      setSaving(false);
    }
  };

  const loadTheirs = async () => {
    const latest = await deps.api.get({ ...deps.scope, slug });
    setTheirs(latest);
    return latest;
  };

  /** Takes their version and drops mine. */
  const reload = async () => {
    try {
      const latest = await loadTheirs();
      setSaved({ yaml: latest.yaml, version: latest.version });
      replaceText(latest.yaml);
      setConflict(null);
      setComparing(false);
      deps.notify?.(`Reloaded version ${latest.version}`);
    } catch (error) {
      setSaveError(problemOf(error).message);
    }
  };

  /** Loads their version to show beside mine. */
  const compare = async () => {
    try {
      await loadTheirs();
      setComparing(true);
    } catch (error) {
      setSaveError(problemOf(error).message);
    }
  };

  /** Saves mine as the version after theirs. */
  const keepMine = async () => {
    const latest = theirs();
    if (latest) await save(latest.version);
  };

  /** Puts a draft back, based on `version`: when that is older than the saved one, Save answers 409 to compare. */
  const restore = (value: string, version: number) => {
    setSaved((s) => ({ ...s, version: Math.min(version, s.version) }));
    replaceText(value);
  };

  /** Leaving on purpose: the text no longer counts as unsaved. */
  const discardChanges = () => setSaved((s) => ({ ...s, yaml: text() }));

  // The loaded text is checked too (a stored document may predate a rule).
  scheduleCheck(deps.record.yaml);

  /** Problems with a line, as the editor marks them. */
  const marks = () => errors().filter((e) => e.line).map((e) => ({ line: e.line!, column: e.column, message: `${e.message}${e.hint ? ` ${e.hint}` : ""}` }));

  return {
    slug,
    text,
    setText,
    replaceText,
    saved,
    dirty,
    errors,
    marks,
    checking,
    message,
    setMessage,
    saving,
    saveError,
    save,
    conflict,
    dismissConflict: () => setConflict(null),
    theirs,
    comparing,
    reload,
    compare,
    keepMine,
    discardChanges,
    readOnly,
    /** What the `dashboard.editor.session` slot sees of the editor (the edit lease). */
    session: { text, dirty, version: () => saved().version, restore, reload, setReadOnly } satisfies EditorSession,
    /** The CodeMirror editor, once loaded: it gets the text typed before it was ready. */
    attachEditor(next: EditorHandle) {
      handle = next;
      if (next.getValue() !== text()) next.setValue(text());
    },
    dispose() {
      clearTimeout(timer);
      checkSeq++;
    },
  };
}
