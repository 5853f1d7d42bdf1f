/**
 * What a row of the isolation matrix says, and helpers to write one. Each plugin keeps its rows
 * in `tests/isolation/rows/<plugin>.ts`, listed in `tests/isolation/rows/index.ts`.
 */
import { ACTORS, type ActorName, type World } from "../world";

export type Outcome = "ok" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "UNPROCESSABLE_CONTENT";
export type Expectations = Partial<Record<ActorName, Outcome>>;

export interface Row {
  /** The input, or a promise of it (to set up what the call needs first). */
  input?: (w: World) => unknown;
  /** For procedures without org scope: the outcome for every actor. */
  expect?: Expectations;
}

export const everyone = (outcome: Outcome): Expectations => Object.fromEntries(ACTORS.map((a) => [a, outcome]));
/** Session-only procedures: people in a browser. */
export const sessionOnly = (forPeople: Outcome = "ok"): Expectations => ({
  ...everyone(forPeople),
  anonymous: "UNAUTHORIZED",
  readToken: "FORBIDDEN",
  otherOrgToken: "FORBIDDEN",
});
export const A = (w: World) => ({ orgId: w.orgA.id });
export const P = (w: World) => ({ orgId: w.orgA.id, projectId: w.projectA.id });
export const MATRIX_PASSWORD = "matrix passphrase words";

