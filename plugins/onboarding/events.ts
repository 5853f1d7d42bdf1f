/**
 * The onboarding plugin's kernel events (declaration merging on AtriumEvents), emitted in the
 * transaction that changed the session, so every instance's listeners see it on commit.
 */
export {};

declare module "~/kernel/events" {
  interface AtriumEvents {
    /**
     * The wizard's edit lease changed hands: taken over from `from` by `by`, or handed by `by`
     * to `to`. The wizard page of the person it concerns listens (`onboarding.wizard.onLease`).
     */
    "onboarding.lease.changed": { sessionId: string; how: "takeover" | "handoff"; by: string; from: string | null; to: string };
  }
}
