/**
 * The public page's logic, out of the JSX: ask the link's data route for the view (with the
 * viewer's variable choices, and the password or the proof of it), and keep what it answered:
 * the view, a password prompt, "not available", or a refused value under its variable.
 */
import { batch, createSignal } from "solid-js";

export type PublicVariable = {
  name: string;
  label: string;
  type: "select" | "multiselect" | "daterange" | "text" | "number" | "checkbox";
  editable: boolean;
  value: unknown;
  options?: { value: unknown; label: string }[];
};

export type PublicResult = { ok: true; columns: { name: string; type: string }[]; rows: Record<string, unknown>[]; truncated: boolean } | { ok: false; message: string };

export interface PublicView {
  dashboard: { title: string; description: string | null; charts: Array<Record<string, unknown> & { id: string; type: string }>; layout: unknown; variables: PublicVariable[] };
  results: Record<string, PublicResult>;
  exports: string[];
  expiresAt: string;
  ranAt: string;
  unlock?: string;
}

export type PublicState =
  | { kind: "loading" }
  | { kind: "view" }
  | { kind: "password"; wrong: boolean }
  | { kind: "gone" }
  | { kind: "refused"; message: string }
  | { kind: "failed"; message: string };

type Answer = PublicView & { error?: { code: string; message: string; fieldErrors?: Record<string, string[]> } };

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** A public link (`/s/<token>`), a signed embed (`/e/<token>`, whose refusals are 401s that say why), or an invited browser's view (`/view/<inviteId>`, by its cookie). */
export type PublicKind = "link" | "embed" | "invite";

export function createPublicStore(token: string, fetcher: Fetch = (i, init) => fetch(i, init), kind: PublicKind = "link") {
  const [state, setState] = createSignal<PublicState>({ kind: "loading" });
  const [choices, setChoices] = createSignal<Record<string, unknown>>({});
  const [refused, setRefused] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);
  // The last view answered, kept apart from `state`: the canvas reads it, and it never goes
  // back to undefined while the page switches to "gone" (a read of a narrowed state there throws).
  const [view, setView] = createSignal<PublicView>();
  let password: string | undefined;
  let unlock: string | undefined;

  const load = async (variables: Record<string, unknown> = choices()) => {
    setBusy(true);
    // Only the network is guarded: an error while the page renders the answer must surface, not
    // turn into "could not be reached" (or, caught mid-update, leave the page half-rendered).
    const answer = await ask(variables);
    batch(() => {
      setBusy(false);
      show(answer, variables);
    });
  };

  const ask = async (variables: Record<string, unknown>): Promise<{ status: number; body: Answer | null } | null> => {
    try {
      const url = kind === "embed" ? "/api/sharing/embed" : kind === "invite" ? `/api/sharing/invited/${encodeURIComponent(token)}` : `/api/sharing/public/${encodeURIComponent(token)}`;
      const body = kind === "embed" ? { token, variables } : kind === "invite" ? { variables } : { variables, ...(unlock ? { unlock } : password ? { password } : {}) };
      const response = await fetcher(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        // An invited browser's access is its cookie; links and embeds carry their own credential.
        credentials: kind === "invite" ? "same-origin" : "omit",
        referrerPolicy: "no-referrer",
      });
      return { status: response.status, body: (await response.json().catch(() => null)) as Answer | null };
    } catch {
      return null;
    }
  };

  const show = (answer: { status: number; body: Answer | null } | null, variables: Record<string, unknown>) => {
    const body = answer?.body ?? null;
    if (!answer) {
      setState({ kind: "failed", message: "The dashboard could not be reached. Check your connection and try again." });
    } else if (answer.status === 200 && body) {
      if (body.unlock) unlock = body.unlock;
      setChoices(variables);
      setRefused({});
      setView(body);
      setState({ kind: "view" });
    } else if (answer.status === 404) {
      setState({ kind: "gone" });
    } else if (answer.status === 401 && kind === "embed") {
      setState({ kind: "refused", message: body?.error?.message ?? "This embed's token was refused." });
    } else if (answer.status === 401) {
      unlock = undefined;
      setState({ kind: "password", wrong: body?.error?.code === "PASSWORD_INCORRECT" });
    } else if (answer.status === 422) {
      const fields = body?.error?.fieldErrors ?? {};
      setRefused(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/^variables\./, ""), v[0] ?? "Not allowed"])));
    } else {
      setState({ kind: "failed", message: body?.error?.message ?? "The dashboard could not be loaded. Try again in a moment." });
    }
  };

  return {
    state,
    view,
    refused,
    busy,
    load,
    refresh: () => load(),
    choose: (name: string, value: unknown) => load({ ...choices(), [name]: value }),
    unlockWith: (given: string) => {
      password = given;
      unlock = undefined;
      return load();
    },
  };
}
