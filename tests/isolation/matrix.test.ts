/**
 * The isolation matrix: every procedure × every kind of caller, against org A's resources.
 *
 * Expected outcomes for capability-guarded procedures follow from the capability's grants:
 * anonymous 401; a member of another org 404; a member whose role lacks the capability 403;
 * a read-only token 403 on mutations; a token bound to another org 404. Procedures without an
 * org say their expectations explicitly. A procedure without a row fails the suite: every new
 * procedure (and MCP tool) joins the matrix.
 */
import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { describe, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { createCallerFactory, proceduresOf } from "~/kernel/trpc";
import { useTestKernel } from "../setup/kernel";
import { contextFor, testRouter, unique } from "../setup/fixtures";
import { ACTORS, buildWorld, type ActorName, type World } from "./world";
import { A, everyone, MATRIX_PASSWORD, P, sessionOnly, type Outcome, type Row } from "./rows/helpers";
import { pluginRows } from "./rows";
import { dropWarehouseAfterTest, externalDatabaseForTest, savedSourceForTest } from "../../plugins/data/test-helpers";

const rows: Record<string, Row> = {
  ...pluginRows,
  "kernel.info": { expect: everyone("ok") },
  "auth.me": { expect: everyone("ok") },
  "auth.signOut": { expect: sessionOnly() },
  "auth.updateProfile": { input: () => ({ name: "Renamed" }), expect: sessionOnly() },
  "auth.sessions.list": { expect: sessionOnly() },
  "auth.sessions.revoke": { input: () => ({ id: "0000000000000000" }), expect: sessionOnly("NOT_FOUND") },
  "auth.sessions.revokeOthers": { expect: sessionOnly() },
  "auth.tokens.list": { expect: sessionOnly() },
  "auth.tokens.create": { input: (w) => ({ ...A(w), name: "t", scopes: ["read"] }) },
  "auth.tokens.revoke": { input: () => ({ tokenId: randomUUID() }), expect: sessionOnly("NOT_FOUND") },
  "orgs.list": { expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED" } },
  "orgs.bySlug": {
    input: (w) => ({ slug: w.orgA.slug }),
    expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED", nonMember: "NOT_FOUND", otherOrgToken: "NOT_FOUND" },
  },
  "orgs.create": { input: () => ({ slug: unique("new"), name: "New" }), expect: sessionOnly() },
  "orgs.rename": { input: (w) => ({ ...A(w), name: "Renamed" }) },
  "orgs.delete": { input: (w) => ({ ...A(w), confirmSlug: w.orgA.slug }) },
  "orgs.members.list": { input: A },
  "orgs.members.updateRole": { input: (w) => ({ ...A(w), userId: w.users.spare.id, role: "viewer" }) },
  "orgs.members.remove": { input: (w) => ({ ...A(w), userId: w.users.spare.id }) },
  "orgs.members.leave": { input: A },
  "orgs.members.transferOwnership": { input: (w) => ({ ...A(w), userId: w.users.spare.id }) },
  "orgs.invitations.list": { input: A },
  "orgs.invitations.create": { input: (w) => ({ ...A(w), email: `${unique("invitee")}@example.test`, role: "viewer" }) },
  "orgs.invitations.revoke": { input: (w) => ({ ...A(w), invitationId: w.invitationId }) },
  "orgs.invitations.preview": { input: (w) => ({ token: w.invitationToken }), expect: everyone("ok") },
  "orgs.invitations.accept": { input: (w) => ({ token: w.invitationToken }), expect: sessionOnly() },
  "projects.list": { input: A },
  "projects.bySlug": { input: (w) => ({ ...A(w), slug: "alpha" }) },
  "projects.create": { input: (w) => ({ ...A(w), slug: "beta", name: "Beta" }) },
  "projects.update": { input: (w) => ({ ...P(w), name: "Alpha 2" }) },
  "projects.setArchived": { input: (w) => ({ ...P(w), archived: true }) },
  "projects.delete": { input: (w) => ({ ...P(w), confirmSlug: "alpha" }) },
  "projects.roles.list": { input: P },
  "projects.roles.set": { input: (w) => ({ ...P(w), userId: w.users.spare.id, role: "viewer" }) },
  "audit.list": { input: A },
  "authPassword.signUp": { input: () => ({ email: `${unique("signup")}@example.test`, password: MATRIX_PASSWORD, name: "Matrix" }), expect: everyone("ok") },
  "authPassword.signIn": {
    // Signing in works whoever is calling: a person with a password signs up first (from no address, so no per-address limit).
    input: async (w) => {
      const email = `${unique("signin")}@example.test`;
      await createCaller({ ...contextFor(w.kernel), ip: null }).authPassword.signUp({ email, password: MATRIX_PASSWORD, name: "Matrix" });
      return { email, password: MATRIX_PASSWORD };
    },
    expect: everyone("ok"),
  },
  "authPassword.verifyEmail": { input: () => ({ token: "a".repeat(32) }), expect: everyone("UNPROCESSABLE_CONTENT") },
  "authPassword.resendVerification": { expect: { ...everyone("ok"), anonymous: "UNAUTHORIZED", readToken: "FORBIDDEN" } },
  "authPassword.requestPasswordReset": { input: () => ({ email: `${unique("nobody")}@example.test` }), expect: everyone("ok") },
  "authPassword.resetPassword": { input: () => ({ token: "a".repeat(32), password: MATRIX_PASSWORD }), expect: everyone("UNPROCESSABLE_CONTENT") },
  // The world's people have no password: a wrong current password (422), refused before that for non-sessions.
  "authPassword.changePassword": {
    input: () => ({ currentPassword: "not the current one", newPassword: MATRIX_PASSWORD }),
    expect: sessionOnly("UNPROCESSABLE_CONTENT"),
  },
  "authOidc.providers": { expect: everyone("ok") },
  "authOidc.identities.list": { expect: sessionOnly() },
  // Another person's identity is as unknown as a made-up one (plugins/auth-oidc/flow.test.ts).
  "authOidc.identities.unlink": { input: () => ({ id: randomUUID() }), expect: sessionOnly("NOT_FOUND") },
  "data.connectors": { input: A },
  "data.sources.list": { input: A },
  "data.sources.get": { input: (w) => ({ ...A(w), sourceId: "warehouse" }) },
  // A connection test that fails still answers (ok: false): no warehouse, no external database needed.
  "data.sources.test": { input: (w) => ({ ...A(w), type: "postgres", config: { host: "127.0.0.1", port: 1, database: "x", user: "x", password: "x", sslmode: "disable" } }) },
  "data.sources.create": { input: async (w) => ({ ...A(w), name: unique("pg"), type: "postgres", config: await externalDatabaseForTest() }) },
  "data.sources.update": { input: async (w) => ({ ...A(w), sourceId: await savedSourceForTest(w.kernel, w.orgA.id), name: unique("renamed") }) },
  "data.sources.delete": { input: async (w) => ({ ...A(w), sourceId: await savedSourceForTest(w.kernel, w.orgA.id) }) },
  "data.describeTables": { input: (w) => (dropWarehouseAfterTest(w.kernel, w.orgA.id), { ...A(w), sourceId: "warehouse" }) },
  "data.runQuery": { input: (w) => (dropWarehouseAfterTest(w.kernel, w.orgA.id), { ...A(w), sql: "select 1" }) },
  "data.importCsv": { input: (w) => (dropWarehouseAfterTest(w.kernel, w.orgA.id), { ...A(w), table: "matrix", csv: "a,b\n1,x\n" }) },
  "data.loadSample": { input: (w) => (dropWarehouseAfterTest(w.kernel, w.orgA.id), A(w)) },
  "data.onImportProgress": { input: A },
  "example.hello": { input: () => ({ name: "matrix" }), expect: everyone("ok") },
  "example.notes.list": { input: A },
  "example.notes.add": { input: (w) => ({ ...A(w), body: "from the matrix" }) },
  "example.notes.onAdded": { input: A },
};

/** What a capability-guarded procedure must answer each caller. */
function derivedOutcome(kernel: Kernel, capability: string, type: string, actor: ActorName): Outcome {
  switch (actor) {
    case "anonymous":
      return "UNAUTHORIZED";
    case "nonMember":
    case "otherOrgToken":
      return "NOT_FOUND";
    case "readToken":
      if (type === "mutation") return "FORBIDDEN";
      return kernel.capabilities.allows("owner", capability) ? "ok" : "FORBIDDEN";
    default:
      return kernel.capabilities.allows(actor, capability) ? "ok" : "FORBIDDEN";
  }
}

const booted = useTestKernel();

const createCaller = createCallerFactory(testRouter);
const procedures = proceduresOf(testRouter);

test("every procedure has a row in the matrix", () => {
  const missing = procedures.map((p) => p.path).filter((path) => !(path in rows));
  const stale = Object.keys(rows).filter((path) => !procedures.some((p) => p.path === path));
  expect({ missing, stale }).toEqual({ missing: [], stale: [] });
});

async function call(w: World, path: string, type: string, input: unknown): Promise<Outcome> {
  const controller = new AbortController();
  const caller = createCaller(contextFor(w.kernel, w.actor), { signal: controller.signal }) as unknown as Record<string, unknown>;
  const fn = path.split(".").reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], caller) as (i: unknown) => Promise<unknown>;
  try {
    const result = await fn(input);
    if (type === "subscription") controller.abort();
    void result;
    return "ok";
  } catch (err) {
    if (err instanceof TRPCError) return err.code as Outcome;
    throw err;
  }
}

describe.each(procedures.filter((p) => p.path in rows))("$path", ({ path, type, meta }) => {
  test.each([...ACTORS])("%s", async (actorName) => {
    const { kernel } = booted;
    const row = rows[path]!;
    const expected = meta.capability ? derivedOutcome(kernel, meta.capability, type, actorName) : row.expect?.[actorName];
    expect(expected, `no expectation for ${actorName}`).toBeDefined();
    const w = await buildWorld(kernel, actorName);
    const auditBefore = await kernel.ownerDb.selectFrom("audit_events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
    const outcome = await call(w, path, type, await row.input?.(w));
    expect(outcome).toBe(expected);
    if (outcome !== "ok" && type === "mutation") {
      // A refused mutation leaves no trace: nothing written, nothing audited.
      const auditAfter = await kernel.ownerDb.selectFrom("audit_events").select((eb) => eb.fn.countAll<number>().as("n")).executeTakeFirstOrThrow();
      expect(Number(auditAfter.n)).toBe(Number(auditBefore.n));
    }
  });
});
