/**
 * Test set-up for the dashboards plugin: a member of a new org with a project, callers acting as
 * them, and small valid documents. Kernels come from the data plugin's helpers (their close()
 * drops the warehouses the tests made).
 */
import { TRPCError } from "@trpc/server";
import { expect } from "vitest";
import { ZodError } from "zod";
import type { Kernel } from "~/kernel/kernel";
import type { Role } from "~/kernel/db/schema";
import { fieldErrorsOf } from "~/kernel/errors";
import { asUser, createUser, unique } from "../../tests/setup/fixtures";
import { member } from "../data/test-helpers";

export async function createProject(kernel: Kernel, orgId: string, slug = unique("p")) {
  return kernel.ownerDb.insertInto("projects").values({ org_id: orgId, slug, name: `Project ${slug}` }).returning(["id", "slug", "name"]).executeTakeFirstOrThrow();
}

/** A person with `role` in a new org holding one project; `at` is the { orgId, projectId } every call takes. */
export async function workspace(kernel: Kernel, role: Role = "owner") {
  const m = await member(kernel, role);
  const project = await createProject(kernel, m.org.id);
  return { ...m, project, at: { orgId: m.org.id, projectId: project.id } };
}

/** Another person in the same org, with `role` (and optionally a different role in some projects). */
export async function colleague(kernel: Kernel, orgId: string, role: Role, overrides: Array<{ projectId: string; role: Role }> = []) {
  const user = await createUser(kernel);
  await kernel.ownerDb.insertInto("memberships").values({ org_id: orgId, user_id: user.id, role }).execute();
  for (const o of overrides) await kernel.ownerDb.insertInto("project_roles").values({ org_id: orgId, project_id: o.projectId, user_id: user.id, role: o.role }).execute();
  return { user, caller: asUser(kernel, user.id) };
}

export function simpleYaml(title: string, extra = ""): string {
  return `title: ${JSON.stringify(title)}
description: A dashboard for tests
tags: [finance, weekly]
queries:
  one:
    sql: select 1 as n
charts:
  - id: n
    type: kpi
    query: one
    value: n
${extra}`;
}

/** The TRPCError a promise rejects with, and its field errors. */
export async function rejectionOf(promise: Promise<unknown>): Promise<{ code: string; message: string; fields: Record<string, string[]> }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TRPCError);
  const e = err as TRPCError;
  const fields = e.cause instanceof ZodError ? fieldErrorsOf(e.cause) : ((e.cause as { fields?: Record<string, string[]> } | undefined)?.fields ?? {});
  return { code: e.code, message: e.message, fields };
}
