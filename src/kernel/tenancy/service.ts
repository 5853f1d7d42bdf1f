/**
 * Tenancy operations shared by procedures and CLI commands: orgs, members, invitations,
 * projects. Each takes a database handle already under the right scope (a request
 * transaction, or kernel.withScope for operators) and throws TRPCErrors a person can act on.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { sql, type Kysely } from "kysely";
import { z } from "zod";
import type { KernelDatabase, Role } from "../db/schema";
import { applyScope } from "../scope";
import { fieldError } from "../errors";
import { lockForTransaction } from "../db/locks";
import { safeString } from "../schemas";

type Db = Kysely<KernelDatabase>;

/** Org and project slugs: lower-case letters, digits and inner hyphens, 1–40 characters. */
export const slugSchema = safeString()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/, "Use 1–40 lower-case letters, digits and hyphens, not starting or ending with a hyphen");

export const nameSchema = safeString().trim().min(1, "A name is required").max(100, "At most 100 characters");
export const roleSchema = z.enum(["owner", "admin", "editor", "viewer"]);

/** Slugs that would collide with app routes. */
const RESERVED_SLUGS = new Set(["api", "app", "admin", "account", "auth", "login", "logout", "signup", "sign-in", "sign-up", "settings", "new", "orgs", "mcp", "metrics", "health", "static", "assets", "invite", "invitations", "verify-email", "reset-password", "s", "embed"]);

function isUniqueViolation(err: unknown): boolean {
  return typeof err === "object" && err !== null && (err as { code?: string }).code === "23505";
}

/** Creates an org with `ownerId` as its owner. Runs in `trx` (sets the scope to the new org). */
export async function createOrg(trx: Db, input: { slug: string; name: string; ownerId: string }) {
  if (RESERVED_SLUGS.has(input.slug)) throw fieldError("CONFLICT", "slug", `"${input.slug}" is reserved; choose another.`);
  const id = randomUUID();
  await applyScope(trx, { userId: input.ownerId, orgId: id });
  try {
    await sql`savepoint create_org`.execute(trx);
    await trx.insertInto("orgs").values({ id, slug: input.slug, name: input.name }).execute();
    await sql`release savepoint create_org`.execute(trx);
  } catch (err) {
    if (isUniqueViolation(err)) {
      await sql`rollback to savepoint create_org`.execute(trx);
      throw fieldError("CONFLICT", "slug", `The address "${input.slug}" is taken; choose another.`);
    }
    throw err;
  }
  await trx.insertInto("memberships").values({ org_id: id, user_id: input.ownerId, role: "owner" }).execute();
  return { id, slug: input.slug, name: input.name };
}

async function ownerCount(trx: Db, orgId: string): Promise<number> {
  const row = await trx
    .selectFrom("memberships")
    .select((eb) => eb.fn.countAll<number>().as("n"))
    .where("org_id", "=", orgId)
    .where("role", "=", "owner")
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Changes a member's role. Only owners grant or take away the owner role; one owner always remains. */
export async function changeRole(trx: Db, orgId: string, actorRole: Role, userId: string, role: Role) {
  const current = await trx.selectFrom("memberships").select("role").where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
  if (!current) throw new TRPCError({ code: "NOT_FOUND", message: "That person is not a member of this organization." });
  if ((current.role === "owner" || role === "owner") && actorRole !== "owner") {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can grant or take away the owner role." });
  }
  if (current.role === "owner" && role !== "owner" && (await ownerCount(trx, orgId)) <= 1) {
    throw new TRPCError({ code: "CONFLICT", message: "An organization always keeps at least one owner. Make someone else an owner first." });
  }
  await trx.updateTable("memberships").set({ role }).where("org_id", "=", orgId).where("user_id", "=", userId).execute();
  return { userId, role, previousRole: current.role };
}

/** Removes a member (or lets one leave). The last owner cannot go. */
export async function removeMember(trx: Db, orgId: string, actorRole: Role, userId: string) {
  const current = await trx.selectFrom("memberships").select("role").where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
  if (!current) throw new TRPCError({ code: "NOT_FOUND", message: "That person is not a member of this organization." });
  if (current.role === "owner" && actorRole !== "owner") throw new TRPCError({ code: "FORBIDDEN", message: "Only an owner can remove an owner." });
  if (current.role === "owner" && (await ownerCount(trx, orgId)) <= 1) {
    throw new TRPCError({ code: "CONFLICT", message: "An organization always keeps at least one owner. Transfer ownership first." });
  }
  await trx.deleteFrom("project_roles").where("org_id", "=", orgId).where("user_id", "=", userId).execute();
  await trx.deleteFrom("memberships").where("org_id", "=", orgId).where("user_id", "=", userId).execute();
  await trx.updateTable("api_tokens").set({ revoked_at: new Date() }).where("org_id", "=", orgId).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
}

/** Makes `toUserId` (a member) an owner and the current owner an admin. */
export async function transferOwnership(trx: Db, orgId: string, fromUserId: string, toUserId: string) {
  if (fromUserId === toUserId) throw fieldError("UNPROCESSABLE_CONTENT", "userId", "You already own this organization.");
  const target = await trx.selectFrom("memberships").select("role").where("org_id", "=", orgId).where("user_id", "=", toUserId).executeTakeFirst();
  if (!target) throw new TRPCError({ code: "NOT_FOUND", message: "That person is not a member of this organization." });
  await trx.updateTable("memberships").set({ role: "owner" }).where("org_id", "=", orgId).where("user_id", "=", toUserId).execute();
  await trx.updateTable("memberships").set({ role: "admin" }).where("org_id", "=", orgId).where("user_id", "=", fromUserId).execute();
}

/** Live projects (archived ones included) an org holds at most: its project list and pickers stay a few pages. */
export const MAX_PROJECTS_PER_ORG = 1000;

/**
 * Creates a project in `trx` (a transaction: the limit's lock on the org lasts until it ends).
 * 409 on `slug` when it is taken; 422 on `slug` when the org already holds {@link MAX_PROJECTS_PER_ORG}.
 */
export async function createProject(trx: Db, input: { orgId: string; slug: string; name: string; description?: string }) {
  await lockForTransaction(trx, `atrium:projects:${input.orgId}`);
  const { held } = await trx
    .selectFrom("projects")
    .select((eb) => eb.fn.countAll<string>().as("held"))
    .where("org_id", "=", input.orgId)
    .where("deleted_at", "is", null)
    .executeTakeFirstOrThrow();
  if (Number(held) >= MAX_PROJECTS_PER_ORG) {
    throw fieldError("UNPROCESSABLE_CONTENT", "slug", `An organization holds at most ${MAX_PROJECTS_PER_ORG} projects; delete one you no longer use first.`);
  }
  try {
    await sql`savepoint create_project`.execute(trx);
    const row = await trx
      .insertInto("projects")
      .values({ org_id: input.orgId, slug: input.slug, name: input.name, description: input.description ?? "" })
      .returning(["id", "slug", "name", "description", "created_at"])
      .executeTakeFirstOrThrow();
    await sql`release savepoint create_project`.execute(trx);
    return row;
  } catch (err) {
    if (isUniqueViolation(err)) {
      await sql`rollback to savepoint create_project`.execute(trx);
      throw fieldError("CONFLICT", "slug", `A project at "${input.slug}" already exists in this organization.`);
    }
    throw err;
  }
}

export const ORG_RESTORE_DAYS = 30;
