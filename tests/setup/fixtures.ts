/**
 * Test data: users, orgs and memberships written straight to the database, and tRPC callers
 * acting as a given user (sessions arrive with the identity issue; until then tests say who
 * is calling).
 */
import { randomBytes } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { ZodError } from "zod";
import { fieldErrorsOf } from "~/kernel/errors";
import type { Kernel } from "~/kernel/kernel";
import type { Role } from "~/kernel/db/schema";
import { createCallerFactory, type Actor, type RequestContext } from "~/kernel/trpc";
import { buildAppRouter } from "~/kernel/router";
import { testPlugins } from "./plugins";

export const testRouter = buildAppRouter(testPlugins);
const createCaller = createCallerFactory(testRouter);

export function unique(prefix: string): string {
  // 64 bits: the whole suite makes tens of thousands of these in one database (32 bits collided).
  return `${prefix}-${randomBytes(8).toString("hex")}`;
}

export async function createUser(kernel: Kernel, name = "Test User") {
  return kernel.ownerDb
    .insertInto("users")
    .values({ email: `${unique("user")}@example.test`, name })
    .returning(["id", "email", "name"])
    .executeTakeFirstOrThrow();
}

export async function createOrg(kernel: Kernel, members: Array<{ userId: string; role: Role }> = []) {
  const slug = unique("org");
  const org = await kernel.ownerDb.insertInto("orgs").values({ slug, name: `Org ${slug}` }).returning(["id", "slug"]).executeTakeFirstOrThrow();
  for (const m of members) {
    await kernel.ownerDb.insertInto("memberships").values({ org_id: org.id, user_id: m.userId, role: m.role }).execute();
  }
  return org;
}

export function contextFor(kernel: Kernel, actor: Actor = { kind: "anonymous" }): RequestContext {
  return { kernel, actor, db: kernel.db, requestId: unique("req"), ip: "127.0.0.1", resHeaders: new Headers() };
}

export function callerFor(kernel: Kernel, actor: Actor = { kind: "anonymous" }, options: { signal?: AbortSignal } = {}) {
  return createCaller(contextFor(kernel, actor), options);
}

export function asUser(kernel: Kernel, userId: string, options: { signal?: AbortSignal } = {}) {
  return callerFor(kernel, { kind: "user", userId }, options);
}

/**
 * How a call was refused: its code, message and fields (a field error's, or a schema error's by
 * path; null when it names none). Anything but a TRPCError, or no refusal at all, fails the test.
 */
export async function refusalOf(promise: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string[]> | null }> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof TRPCError)) throw error;
    const cause = error.cause;
    const fields = cause instanceof ZodError ? fieldErrorsOf(cause) : ((cause as { fields?: Record<string, string[]> } | undefined)?.fields ?? null);
    return { code: error.code, message: error.message, fields };
  }
  throw new Error("Expected the call to be refused; it answered.");
}
