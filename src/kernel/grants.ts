/**
 * Grants: access to one resource of a project (a dashboard) or to a whole project given to a
 * person beyond their membership, by a plugin that keeps them (sharing). The kernel only asks;
 * it stores nothing. A procedure opts in with `grantableProjectProcedure` (src/kernel/trpc.ts),
 * naming the resource and the input field that identifies it, so a grant never opens a
 * procedure that did not declare it could be reached that way.
 */
import type { Kysely } from "kysely";
import type { KernelDatabase, Role } from "./db/schema";

/** What a procedure reachable through a grant acts on. */
export interface Grantable {
  /** The resource type a grant may name ("dashboard"); grants on the whole project always count. */
  resource: string;
  /** The input field identifying the resource (a slug); absent: only whole-project grants count. */
  key?: string;
}

/** What the builder asks a grant resolver: may this person act on this resource of this project? */
export interface GrantLookup {
  userId: string;
  orgId: string;
  projectId: string;
  resource: string;
  /** The resource's identifier from the input (untrusted text; compare it as a parameter), or null for the project. */
  key: string | null;
}

/**
 * A plugin's answer: the role its grants give on that resource (or the project), or null.
 * Runs inside the call's transaction, with app.org_id set to the lookup's org.
 */
export type GrantResolver = (db: Kysely<KernelDatabase>, lookup: GrantLookup) => Promise<Role | null>;

const RANK: Record<Role, number> = { owner: 4, admin: 3, editor: 2, viewer: 1 };

/** The higher of two roles (null counts as nothing). */
export function higherRole(a: Role | null, b: Role | null): Role | null {
  if (!a) return b;
  if (!b) return a;
  return RANK[b] > RANK[a] ? b : a;
}

/** The highest role any installed plugin's grants give for `lookup`, or null. */
export async function grantedRole(
  resolvers: readonly GrantResolver[],
  db: Kysely<KernelDatabase>,
  lookup: GrantLookup,
): Promise<Role | null> {
  let best: Role | null = null;
  for (const resolve of resolvers) best = higherRole(best, await resolve(db, lookup));
  return best;
}
