/**
 * The public page's logic, out of the JSX: ask the link's data route for the view (with the
 * viewer's variable choices, and the password or the proof of it), and keep what it answered:
 * the view, a password prompt, "not available", or a refused value under its variable.
 */
import { createSignal } from "solid-js";

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
  | { kind: "view"; view: PublicView }
  | { kind: "password"; wrong: boolean }
  | { kind: "gone" }
  | { kind: "failed"; message: string };

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

export function createPublicStore(token: string, fetcher: Fetch = (i, init) => fetch(i, init)) {
  const [state, setState] = createSignal<PublicState>({ kind: "loading" });
  const [choices, setChoices] = createSignal<Record<string, unknown>>({});
  const [refused, setRefused] = createSignal<Record<string, string>>({});
  const [busy, setBusy] = createSignal(false);
  let password: string | undefined;
  let unlock: string | undefined;

  const load = async (variables: Record<string, unknown> = choices()) => {
    setBusy(true);
    try {
      const response = await fetcher(`/api/sharing/public/${encodeURIComponent(token)}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ variables, ...(unlock ? { unlock } : password ? { password } : {}) }),
        credentials: "omit",
        referrerPolicy: "no-referrer",
      });
      const body = (await response.json().catch(() => null)) as (PublicView & { error?: { code: string; message: string; fieldErrors?: Record<string, string[]> } }) | null;
      if (response.ok && body) {
        if (body.unlock) unlock = body.unlock;
        setChoices(variables);
        setRefused({});
        setState({ kind: "view", view: body });
      } else if (response.status === 404) {
        setState({ kind: "gone" });
      } else if (response.status === 401) {
        unlock = undefined;
        setState({ kind: "password", wrong: body?.error?.code === "PASSWORD_INCORRECT" });
      } else if (response.status === 422) {
        const fields = body?.error?.fieldErrors ?? {};
        setRefused(Object.fromEntries(Object.entries(fields).map(([k, v]) => [k.replace(/^variables\./, ""), v[0] ?? "Not allowed"])));
      } else {
        setState({ kind: "failed", message: body?.error?.message ?? "The dashboard could not be loaded. Try again in a moment." });
      }
    } catch {
      setState({ kind: "failed", message: "The dashboard could not be reached. Check your connection and try again." });
    } finally {
      setBusy(false);
    }
  };

  return {
    state,
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
