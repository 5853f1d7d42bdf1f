/**
 * The setup wizard's logic, kept out of the JSX: open the org's session (taking the edit lease
 * when it is free), save each step with the version read (a stale save reloads and says what
 * changed), take over or hand off the lease, resume an abandoned session or start over. The
 * person whose lease is taken (or who is handed the setup) is told at once by the lease event
 * (`onLease`); a look every few seconds still catches other people's saves and a lease coming free.
 */
import { createSignal, onCleanup } from "solid-js";
import type { RouterOutputs } from "~/ui/data";
import { problemOf } from "~/ui/problems";

export type WizardState = RouterOutputs["onboarding"]["wizard"]["get"];
export type WizardSession = RouterOutputs["onboarding"]["wizard"]["open"];
export type StepId = WizardSession["stepId"];
export type Move = "next" | "back" | "skip" | "stay" | "finish";

export interface WizardApi {
  get(input: { orgId: string }): Promise<WizardState>;
  open(input: { orgId: string }): Promise<WizardSession>;
  save(input: { orgId: string; version: number; step: StepId; answers?: Record<string, unknown>; move: Move }): Promise<WizardSession>;
  takeOver(input: { orgId: string }): Promise<WizardSession>;
  handOff(input: { orgId: string; userId: string }): Promise<WizardSession>;
  resume(input: { orgId: string }): Promise<WizardSession>;
  /** Calls `onEvent` when the lease is taken from or handed to this person; returns a stop function. */
  onLease(input: { orgId: string }, onEvent: () => void): () => void;
}

/** How often the wizard looks at the session again (lease changes, another person's saves). */
export const WIZARD_POLL_MS = 3_000;

export function createWizardStore(api: WizardApi, orgId: () => string, options: { pollMs?: number } = {}) {
  const [state, setState] = createSignal<WizardState | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let stopListening: (() => void) | null = null;

  const session = () => state()?.session ?? null;
  const mine = () => session()?.lease?.you ?? false;
  const put = (s: WizardSession) => setState((old) => (old ? { ...old, session: s } : old));

  async function look(): Promise<void> {
    try {
      const next = await api.get({ orgId: orgId() });
      // Keep what this browser holds unless the session moved on elsewhere.
      setState((old) => (old?.session && next.session && old.session.version === next.session.version && old.session.lease?.expiresAt === next.session.lease?.expiresAt ? old : next));
    } catch (err) {
      setError(problemOf(err).message);
    }
    schedule();
  }

  function schedule(): void {
    if (timer) clearTimeout(timer);
    if (!stopped) timer = setTimeout(() => void look(), options.pollMs ?? WIZARD_POLL_MS);
  }

  async function run(work: () => Promise<WizardSession>): Promise<boolean> {
    if (busy()) return false;
    setBusy(true);
    setError(null);
    try {
      put(await work());
      return true;
    } catch (err) {
      const problem = problemOf(err);
      setError(problem.message);
      if (problem.code === "CONFLICT") await look();
      return false;
    } finally {
      setBusy(false);
    }
  }

  async function open(): Promise<void> {
    stopListening ??= api.onLease({ orgId: orgId() }, () => void look());
    await look();
    // A completed or abandoned session waits for the person's choice (run again, resume, start over).
    const status = state()?.session?.status;
    if (state()?.canManage && status !== "completed" && status !== "abandoned") await run(() => api.open({ orgId: orgId() }));
  }

  /** Activity renews the holder's lease (at most once a minute). */
  let touched = 0;
  function touch(): void {
    if (!mine() || Date.now() - touched < 60_000) return;
    touched = Date.now();
    void api.open({ orgId: orgId() }).then(put, () => {});
  }

  const save = (step: StepId, answers: Record<string, unknown> | undefined, move: Move) =>
    run(() => api.save({ orgId: orgId(), version: session()!.version, step, answers, move }));

  /** Starts a new session after a completed or abandoned one (the person chose to start again). */
  const restart = () => run(() => api.open({ orgId: orgId() }));
  /** Picks an abandoned session up where it stopped. */
  const resume = () => run(() => api.resume({ orgId: orgId() }));
  const takeOver = () => run(() => api.takeOver({ orgId: orgId() }));
  const handOff = (userId: string) => run(() => api.handOff({ orgId: orgId(), userId }));

  onCleanup(() => {
    stopped = true;
    stopListening?.();
    if (timer) clearTimeout(timer);
  });

  return { state, session, mine, error, setError, busy, open, touch, save, restart, resume, takeOver, handOff, look };
}

export type WizardStore = ReturnType<typeof createWizardStore>;

export const ROLE_OPTIONS = [
  { value: "analyst", label: "Analyst" },
  { value: "engineer", label: "Engineer" },
  { value: "manager", label: "Manager" },
  { value: "founder", label: "Founder" },
  { value: "other", label: "Something else" },
] as const;

export const GOAL_OPTIONS = [
  { value: "revenue", label: "Track revenue and sales" },
  { value: "product", label: "Understand product usage" },
  { value: "operations", label: "Watch operations" },
  { value: "reports", label: "Share reports with my team" },
  { value: "explore", label: "Just explore" },
] as const;
