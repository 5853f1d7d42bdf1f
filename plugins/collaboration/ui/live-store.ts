/**
 * An open dashboard page's live stream as the browser holds it: who else is here (viewing or
 * editing), the newest version someone else saved since the page loaded ("Updated by <name> —
 * reload"), and a callback for each comment someone else wrote (the comments store reloads).
 * Plain signals over a subscribe function, tested without a browser.
 */
import { createSignal } from "solid-js";

export interface PresentPerson {
  id: string;
  name: string;
  editing: boolean;
  you: boolean;
}

export type LiveMessage =
  | { kind: "present"; people: PresentPerson[] }
  | { kind: "saved"; version: number; byName: string; you: boolean }
  | { kind: "comment"; threadId: string; byName: string; you: boolean };

export interface LiveOptions {
  /** Opens the stream; returns the stop function. Errors are the caller's to swallow (the page works without it). */
  subscribe(onData: (message: LiveMessage) => void): () => void;
  /** The version the page shows now. */
  version: () => number;
  /** Someone else wrote a comment on this dashboard. */
  onComment?: (threadId: string) => void;
}

export function createLiveStore(options: LiveOptions) {
  const [people, setPeople] = createSignal<PresentPerson[]>([]);
  const [saved, setSaved] = createSignal<{ version: number; byName: string } | null>(null);

  const stop = options.subscribe((message) => {
    if (message.kind === "present") setPeople(message.people);
    else if (message.kind === "saved") {
      if (!message.you) setSaved({ version: message.version, byName: message.byName });
    } else if (!message.you) options.onComment?.(message.threadId);
  });

  return {
    /** Everyone here but me. */
    others: () => people().filter((p) => !p.you),
    /** A newer version than the page shows, saved by someone else (null once reloaded). */
    updated: () => {
      const s = saved();
      return s && s.version > options.version() ? s : null;
    },
    stop,
  };
}

/** Up to two initials of a name, for an avatar. */
export function initialsOf(name: string): string {
  const words = name.trim().split(/[\s@._-]+/).filter(Boolean);
  return ((words[0]?.[0] ?? "?") + (words.length > 1 ? (words[words.length - 1]![0] ?? "") : "")).toUpperCase();
}
