import { afterAll, beforeAll, expect, test } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import type { EventEnvelope } from "~/kernel/events";
import { bootTestKernel } from "../setup/database";
import { asUser, createOrg, createUser } from "../setup/fixtures";

// Two kernels on one database: two app instances behind a load balancer.
let one: Awaited<ReturnType<typeof bootTestKernel>>;
let two: Awaited<ReturnType<typeof bootTestKernel>>;
let a: Kernel;
let b: Kernel;
beforeAll(async () => {
  one = await bootTestKernel();
  two = await bootTestKernel({ url: one.url });
  a = one.kernel;
  b = two.kernel;
});
afterAll(async () => {
  await two?.close();
  await one?.close();
});

function nextEvent(kernel: Kernel, timeoutMs = 5000): Promise<EventEnvelope<"example.note.added">> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error("no event"));
    }, timeoutMs);
    const off = kernel.events.on("example.note.added", (event) => {
      clearTimeout(timer);
      off();
      resolve(event);
    });
  });
}

test("an event emitted on one instance reaches both", async () => {
  const seenByB = nextEvent(b);
  const seenByA = nextEvent(a);
  await a.events.emit("example.note.added", { noteId: "n1", body: "hi" }, { orgId: null });
  const [eb, ea] = await Promise.all([seenByB, seenByA]);
  expect(eb.payload).toEqual({ noteId: "n1", body: "hi" });
  expect(eb.origin).toBe(a.events.instanceId);
  expect(ea.id).toBe(eb.id);
});

test("an event emitted in a rolled-back transaction is never delivered", async () => {
  const received: string[] = [];
  const off = b.events.on("example.note.added", (e) => {
    received.push(e.payload.noteId);
  });
  await a.db
    .transaction()
    .execute(async (trx) => {
      await a.events.emit("example.note.added", { noteId: "ghost", body: "" }, { db: trx });
      throw new Error("roll back");
    })
    .catch(() => {});
  await a.events.emit("example.note.added", { noteId: "real", body: "" });
  await new Promise((r) => setTimeout(r, 300));
  off();
  expect(received).toEqual(["real"]);
});

test("oversized payloads are refused with a message", async () => {
  await expect(a.events.emit("example.note.added", { noteId: "big", body: "x".repeat(10_000) })).rejects.toThrow(/events carry ids/);
});

test("a subscription on one instance streams the org's notes added on the other", async () => {
  const user = await createUser(a);
  const org = await createOrg(a, [{ userId: user.id, role: "owner" }]);
  const other = await createOrg(a, [{ userId: user.id, role: "owner" }]);
  const controller = new AbortController();
  const stream = await asUser(b, user.id, { signal: controller.signal }).example.notes.onAdded({ orgId: org.id });
  const iterator = stream[Symbol.asyncIterator]();
  const first = iterator.next();
  await new Promise((r) => setTimeout(r, 100));
  await asUser(a, user.id).example.notes.add({ orgId: other.id, body: "elsewhere" });
  await asUser(a, user.id).example.notes.add({ orgId: org.id, body: "here" });
  const { value } = await first;
  expect(value).toMatchObject({ body: "here" });
  controller.abort();
});
