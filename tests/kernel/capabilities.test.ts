import { describe, expect, test } from "vitest";
import { TRPCError } from "@trpc/server";
import { defineCapability } from "~/kernel/capabilities";
import { useTestKernel } from "../setup/kernel";
import { asUser, callerFor, createOrg, createUser } from "../setup/fixtures";

const booted = useTestKernel();

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return "OK";
  } catch (err) {
    if (err instanceof TRPCError) return err.code;
    throw err;
  }
}

describe("capabilityProcedure", () => {
  test("answers 401, 404, 403 and success with the semantics of ARCHITECTURE §4", async () => {
    const { kernel } = booted;
    const owner = await createUser(kernel);
    const viewer = await createUser(kernel);
    const outsider = await createUser(kernel);
    const org = await createOrg(kernel, [
      { userId: owner.id, role: "owner" },
      { userId: viewer.id, role: "viewer" },
    ]);
    const add = (caller: ReturnType<typeof callerFor>, orgId = org.id) => caller.example.notes.add({ orgId, body: "hello" });

    expect(await codeOf(add(callerFor(kernel)))).toBe("UNAUTHORIZED");
    expect(await codeOf(add(asUser(kernel, outsider.id)))).toBe("NOT_FOUND");
    // An org that does not exist looks exactly like one the caller cannot see.
    expect(await codeOf(add(asUser(kernel, outsider.id), "00000000-0000-4000-8000-000000000000"))).toBe("NOT_FOUND");
    expect(await codeOf(add(asUser(kernel, viewer.id)))).toBe("FORBIDDEN");
    expect(await codeOf(add(asUser(kernel, owner.id)))).toBe("OK");

    // The viewer may still read, and sees exactly the owner's note.
    const notes = await asUser(kernel, viewer.id).example.notes.list({ orgId: org.id });
    expect(notes.map((n) => n.body)).toEqual(["hello"]);
  });

  test("a member of another org sees 404, not the other org's notes", async () => {
    const { kernel } = booted;
    const a = await createUser(kernel);
    const b = await createUser(kernel);
    const orgA = await createOrg(kernel, [{ userId: a.id, role: "owner" }]);
    await createOrg(kernel, [{ userId: b.id, role: "owner" }]);
    await asUser(kernel, a.id).example.notes.add({ orgId: orgA.id, body: "secret plan" });
    expect(await codeOf(asUser(kernel, b.id).example.notes.list({ orgId: orgA.id }))).toBe("NOT_FOUND");
  });

  test("a deleted org is invisible even to its owner", async () => {
    const { kernel } = booted;
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    await kernel.ownerDb.updateTable("orgs").set({ deleted_at: new Date() }).where("id", "=", org.id).execute();
    expect(await codeOf(asUser(kernel, owner.id).example.notes.list({ orgId: org.id }))).toBe("NOT_FOUND");
  });

  test("invalid input is a 422 with field errors, and nothing is written", async () => {
    const { kernel } = booted;
    const owner = await createUser(kernel);
    const org = await createOrg(kernel, [{ userId: owner.id, role: "owner" }]);
    const err = await asUser(kernel, owner.id)
      .example.notes.add({ orgId: org.id, body: "   " })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(TRPCError);
    expect((err as TRPCError).code).toBe("UNPROCESSABLE_CONTENT");
    expect((err as TRPCError).message).toContain("body");
    const notes = await asUser(kernel, owner.id).example.notes.list({ orgId: org.id });
    expect(notes).toEqual([]);
  });

  test("a malformed org id is a validation error naming orgId", async () => {
    const { kernel } = booted;
    const owner = await createUser(kernel);
    const err = await asUser(kernel, owner.id)
      .example.notes.list({ orgId: "not-a-uuid" })
      .then(() => null, (e: unknown) => e as TRPCError);
    expect(err?.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err?.message).toContain("orgId");
  });

  test("the registry reports what each role holds", () => {
    const { kernel } = booted;
    expect(kernel.capabilities.forRole("viewer")).toContain("example.note.read");
    expect(kernel.capabilities.forRole("viewer")).not.toContain("example.note.write");
    expect(kernel.capabilities.allows("editor", "example.note.write")).toBe(true);
    expect(kernel.capabilities.allows("owner", "no.such.capability")).toBe(false);
  });

  test("defineCapability rejects bad ids and unknown roles", () => {
    expect(() => defineCapability("Bad Id", { description: "x", grant: [] })).toThrow(/dotted lower-case/);
    expect(() => defineCapability("a.b", { description: "x", grant: ["superuser" as never] })).toThrow(/unknown role/);
  });
});
