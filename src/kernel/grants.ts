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

/**
 * One grant a person holds in an org, as a plugin lists it for org-wide lists (search, recent,
 * MCP resources, the assistant's tools): the project, the one resource in it (or the whole
 * project) and the role it gives.
 */
export interface HeldGrant {
  projectId: string;
  /** The resource type ("dashboard"); null: the whole project. */
  resource: string | null;
  /** The resource's id (a dashboard's id, not its slug); null for the whole project. */
  resourceId: string | null;
  role: Role;
}

/**
 * A plugin's list of the grants a person holds in one org (live targets only). Runs inside the
 * call's transaction, with app.org_id set to that org.
 */
export type GrantLister = (db: Kysely<KernelDatabase>, who: { userId: string; orgId: string }) => Promise<HeldGrant[]>;

/** Every grant the installed plugins' listers say this person holds in the org. */
export async function grantsHeld(listers: readonly GrantLister[], db: Kysely<KernelDatabase>, who: { userId: string; orgId: string }): Promise<HeldGrant[]> {
  const held: HeldGrant[] = [];
  for (const list of listers) held.push(...(await list(db, who)));
  return held;
}

/**
 * A plugin's list of the orgs where a person holds grants (sharing), across orgs: runs in the
 * caller's transaction under the person's scope with no org (the grantee reads their own grants).
 * For choices made outside any org (an MCP client's consent screen); `grantsHeld` says what each reaches.
 */
export type GrantOrgLister = (db: Kysely<KernelDatabase>, userId: string) => Promise<string[]>;
