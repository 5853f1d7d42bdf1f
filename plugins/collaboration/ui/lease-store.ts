/**
 * The dashboard editor's side of the edit lease, without a page: opening takes the lease (or
 * shows who holds it: wait, stay read-only, or take over), the holder's activity renews it each
 * minute, their unsaved text is kept as a server-side draft a second after they stop typing, and
 * the lease service's events arrive at once (taken over: read-only and told; handed to me or
 * released while I wait: mine). Plain signals and functions, tested without a browser.
 */
import { createSignal } from "solid-js";
import type { EditorSession } from "~/ui/plugin-ui";

export interface LeaseState {
  holder: { id: string; name: string } | null;
  since: string | null;
  expiresAt: string | null;
  you: boolean;
  draft: { yaml: string; baseVersion: number; updatedAt: string } | null;
}

export interface LeaseEvent {
  how: "takeover" | "handoff" | "released";
  you: "from" | "to" | null;
  byName: string;
}

export interface LeaseApi {
  open(): Promise<LeaseState>;
  get(): Promise<LeaseState>;
  renew(): Promise<LeaseState>;
  takeOver(): Promise<LeaseState>;
  handOff(userId: string): Promise<LeaseState>;
  release(): Promise<unknown>;
  editors(): Promise<{ members: Array<{ id: string; name: string }> }>;
  saveDraft(yaml: string, baseVersion: number): Promise<unknown>;
  discardDraft(): Promise<unknown>;
  /** Listens for lease changes on this dashboard; returns the stop function. */
  onChange(listener: (event: LeaseEvent) => void): () => void;
}

export interface LeaseOptions {
  /** How often activity renews the lease. */
  renewEveryMs?: number;
  /** How often a person waiting looks whether the lease lapsed (a killed browser tells nobody). */
  waitPollMs?: number;
  /** How long typing must pause before the draft is kept. */
  draftDelayMs?: number;
  /** Activity older than this no longer renews (the lease's own length). */
  idleMs?: number;
}

/** "editing": mine; "locked": someone else's (the person chooses); "lost": taken from me. */
export type LeaseMode = "opening" | "editing" | "locked" | "lost";

export const timeOf = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : "");

export function createLeaseStore(api: LeaseApi, editor: EditorSession, options: LeaseOptions = {}) {
  const renewEvery = options.renewEveryMs ?? 60_000;
  const waitPoll = options.waitPollMs ?? 20_000;
  const draftDelay = options.draftDelayMs ?? 1_000;
  const idle = options.idleMs ?? 5 * 60_000;

  const [lease, setLease] = createSignal<LeaseState | null>(null);
  const [mode, setMode] = createSignal<LeaseMode>("opening");
  /** Locked: the person chose to wait (take it when free) or to read only. */
  const [choice, setChoice] = createSignal<"ask" | "wait" | "read">("ask");
  const [told, setTold] = createSignal<string | null>(null);
  const [offer, setOffer] = createSignal<LeaseState["draft"]>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);

  let lastActivity = Date.now();
  let renewTimer: ReturnType<typeof setInterval> | undefined;
  let waitTimer: ReturnType<typeof setInterval> | undefined;
  let draftTimer: ReturnType<typeof setTimeout> | undefined;
  let stopEvents: (() => void) | undefined;
  let hasDraft = false;
  let disposed = false;
  /** Only the newest look at the lease may apply (an older answer arriving late is stale). */
  let seq = 0;

  const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

  const apply = (next: LeaseState) => {
    setLease(next);
    hasDraft = !!next.draft;
    if (next.you) {
      setMode("editing");
      editor.setReadOnly(false);
    } else if (mode() !== "lost") {
      setMode("locked");
      editor.setReadOnly(true);
    } else {
      editor.setReadOnly(true);
    }
  };

  const look = async (call: () => Promise<LeaseState>) => {
    const mine = ++seq;
    const next = await call();
    if (mine === seq && !disposed) apply(next);
    return next;
  };

  /** Keeps my unsaved text now (before the lease leaves me), or drops the draft once saved. */
  const syncDraft = async () => {
    clearTimeout(draftTimer);
    draftTimer = undefined;
    if (editor.dirty()) {
      hasDraft = true;
      await api.saveDraft(editor.text(), editor.version());
    } else if (hasDraft && !offer()) {
      hasDraft = false;
      await api.discardDraft();
    }
  };

  /** The lease turned mine (taken over, handed to me, free while I waited): newest text, and my draft to restore. */
  const becameMine = async (message: string | null, reload = true) => {
    setChoice("ask");
    setTold(message);
    // Someone else may have saved while I read: load the newest before I type.
    if (reload && !editor.dirty()) await editor.reload();
    const draft = lease()?.draft;
    if (draft && draft.yaml !== editor.text()) setOffer(draft);
  };

  const onEvent = (event: LeaseEvent) => {
    if (disposed) return;
    if (event.you === "from") {
      // Taken from me: the text I had stays my draft; the editor stops taking input at once.
      const had = editor.dirty();
      editor.setReadOnly(true);
      setMode("lost");
      void syncDraft().catch(() => {});
      setTold(
        `${event.byName} ${event.how === "takeover" ? "took over editing" : "is editing now"} at ${timeOf(new Date().toISOString())}.${had ? " Your unsaved changes are kept as your draft; they come back when you edit again." : ""}`,
      );
      void look(api.get).catch(() => {});
      return;
    }
    if (event.you === "to") {
      void look(api.get).then((l) => (l.you ? becameMine(`${event.byName} handed editing to you.`) : undefined)).catch(() => {});
      return;
    }
    if (event.how === "released" && mode() === "locked" && choice() === "wait") {
      void tryTake(`${event.byName} stopped editing; it is yours now.`);
      return;
    }
    if (mode() !== "editing") void look(api.get).catch(() => {});
  };

  const tryTake = async (message: string) => {
    const next = await look(api.open).catch(() => null);
    if (next?.you) await becameMine(message);
  };

  /** The person typed or clicked: the next renewal counts it. */
  const touch = () => {
    lastActivity = Date.now();
  };

  /** The editor's text changed: it counts as activity and is kept as a draft once typing pauses. */
  const textChanged = () => {
    touch();
    if (mode() !== "editing") return;
    clearTimeout(draftTimer);
    draftTimer = setTimeout(() => void syncDraft().catch((e) => setError(`Your draft was not kept: ${messageOf(e)}`)), draftDelay);
  };

  const start = async () => {
    stopEvents = api.onChange(onEvent);
    try {
      const first = await look(api.open);
      if (first.you) await becameMine(null, false);
    } catch (e) {
      setError(`Could not tell who edits this dashboard: ${messageOf(e)}`);
    }
    renewTimer = setInterval(() => {
      if (mode() !== "editing" || Date.now() - lastActivity > idle) return;
      void look(api.renew)
        .then((l) => {
          if (!l.you) {
            setMode("lost");
            editor.setReadOnly(true);
            void syncDraft().catch(() => {});
            setTold(l.holder ? `Your edit lease lapsed while you were away and ${l.holder.name} is editing now. Your unsaved changes are kept as your draft.` : "Your edit lease lapsed while you were away.");
          }
        })
        .catch(() => {});
    }, renewEvery);
    waitTimer = setInterval(() => {
      if (mode() === "locked" && choice() === "wait") void tryTake("The other editor left; it is yours now.");
      else if (mode() === "locked") void look(api.get).catch(() => {});
    }, waitPoll);
  };

  const takeOver = async () => {
    setBusy(true);
    setError(null);
    try {
      await look(api.takeOver);
      await becameMine(null);
    } catch (e) {
      setError(`Not taken over: ${messageOf(e)}`);
    } finally {
      setBusy(false);
    }
  };

  /** Hands the lease to a member who may edit; my unsaved text stays my draft. */
  const handOff = async (userId: string) => {
    setBusy(true);
    setError(null);
    try {
      await syncDraft();
      await look(() => api.handOff(userId));
      setTold(`You handed editing to ${lease()?.holder?.name ?? "them"}.${editor.dirty() ? " Your unsaved changes are kept as your draft." : ""}`);
    } catch (e) {
      setError(`Not handed off: ${messageOf(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const restoreDraft = () => {
    const draft = offer();
    if (draft) editor.restore(draft.yaml, draft.baseVersion);
    setOffer(null);
  };

  const discardDraft = async () => {
    setOffer(null);
    hasDraft = false;
    await api.discardDraft().catch((e) => setError(`The draft was not discarded: ${messageOf(e)}`));
  };

  /** Leaving the editor: keep unsaved text as my draft, free the lease. */
  const dispose = () => {
    if (disposed) return;
    disposed = true;
    clearInterval(renewTimer);
    clearInterval(waitTimer);
    stopEvents?.();
    const wasMine = mode() === "editing";
    void syncDraft()
      .catch(() => {})
      .finally(() => {
        if (wasMine) void api.release().catch(() => {});
      });
  };

  return {
    lease,
    mode,
    choice,
    setChoice: (next: "wait" | "read") => {
      setChoice(next);
      if (next === "wait") void tryTake("The other editor left; it is yours now.");
    },
    told,
    dismissTold: () => setTold(null),
    offer,
    error,
    busy,
    start,
    touch,
    textChanged,
    takeOver,
    handOff,
    editors: api.editors,
    restoreDraft,
    discardDraft,
    dispose,
  };
}

export type LeaseStore = ReturnType<typeof createLeaseStore>;
