/**
 * A small world for the isolation matrix: org A with one member of every role (and a second
 * owner, so owners can leave), a project, a spare member to act on, and an outsider who owns
 * org B. Built fresh for every matrix cell, so no cell sees another's side effects.
 */
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import { createSession, generateSessionToken } from "~/kernel/auth/session";
import type { Kernel } from "~/kernel/kernel";
import type { Role } from "~/kernel/db/schema";
import type { Actor } from "~/kernel/trpc";
import { createOrg, createUser, unique } from "../setup/fixtures";

export const ACTORS = ["anonymous", "nonMember", "viewer", "editor", "admin", "owner", "readToken", "otherOrgToken"] as const;
export type ActorName = (typeof ACTORS)[number];

export interface World {
  kernel: Kernel;
  orgA: { id: string; slug: string };
  orgB: { id: string; slug: string };
  projectA: { id: string; slug: string };
  users: Record<"owner" | "coOwner" | "admin" | "editor" | "viewer" | "spare" | "outsider", { id: string; email: string }>;
  actor: Actor;
  /** The acting person's user, if any. */
  actorUser: { id: string; email: string } | null;
  /** A pending invitation in org A addressed to the acting person (or a stranger). */
  invitationToken: string;
  invitationId: string;
}

async function tokenFor(kernel: Kernel, userId: string, orgId: string, scopes: Array<"read" | "write">) {
  const token = generateApiToken();
  const row = await kernel.ownerDb
    .insertInto("api_tokens")
    .values({ user_id: userId, org_id: orgId, name: "matrix", token_hash: hashApiToken(token), scopes })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function buildWorld(kernel: Kernel, actorName: ActorName): Promise<World> {
  const names = ["owner", "coOwner", "admin", "editor", "viewer", "spare", "outsider"] as const;
  const users = {} as World["users"];
  for (const n of names) users[n] = await createUser(kernel, n);
  const roles: Array<[keyof World["users"], Role]> = [
    ["owner", "owner"],
    ["coOwner", "owner"],
    ["admin", "admin"],
    ["editor", "editor"],
    ["viewer", "viewer"],
    ["spare", "editor"],
  ];
  const orgA = await createOrg(kernel, roles.map(([u, role]) => ({ userId: users[u].id, role })));
  const orgB = await createOrg(kernel, [{ userId: users.outsider.id, role: "owner" }]);
  const projectA = await kernel.ownerDb
    .insertInto("projects")
    .values({ org_id: orgA.id, slug: "alpha", name: "Alpha" })
    .returning(["id", "slug"])
    .executeTakeFirstOrThrow();

  let actor: Actor = { kind: "anonymous" };
  let actorUser: World["actorUser"] = null;
  const person = (u: keyof World["users"]) => users[u];
  const asSession = async (u: keyof World["users"]) => {
    const session = await createSession(kernel.db, generateSessionToken(), person(u).id);
    actorUser = person(u);
    return { kind: "user" as const, userId: person(u).id, sessionId: session.id };
  };
  switch (actorName) {
    case "anonymous":
      break;
    case "nonMember":
      actor = await asSession("outsider");
      break;
    case "readToken":
      actorUser = users.owner;
      actor = { kind: "token", userId: users.owner.id, orgId: orgA.id, scopes: ["read"], tokenId: await tokenFor(kernel, users.owner.id, orgA.id, ["read"]) };
      break;
    case "otherOrgToken":
      actorUser = users.outsider;
      actor = { kind: "token", userId: users.outsider.id, orgId: orgB.id, scopes: ["read", "write"], tokenId: await tokenFor(kernel, users.outsider.id, orgB.id, ["read", "write"]) };
      break;
    default:
      actor = await asSession(actorName);
  }

  const invitationToken = generateApiToken().replace(/^atr_/, "inv_");
  const invitation = await kernel.ownerDb
    .insertInto("invitations")
    .values({
      org_id: orgA.id,
      email: (actorUser as { email: string } | null)?.email ?? `${unique("stranger")}@example.test`,
      role: "viewer",
      token_hash: hashApiToken(invitationToken),
      invited_by: users.owner.id,
      expires_at: new Date(Date.now() + 86_400_000),
    })
    .returning("id")
    .executeTakeFirstOrThrow();

  return { kernel, orgA, orgB, projectA, users, actor, actorUser, invitationToken, invitationId: invitation.id };
}
