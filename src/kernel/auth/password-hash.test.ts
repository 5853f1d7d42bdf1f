import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { ARGON2, HASHING_SLOTS, createSlots, hashSecret, needsRehash, verifySecret } from "./password-hash";

/** A task that resolves (or rejects) when the test says so. */
function gate<T>() {
  let open!: (value: T) => void;
  let fail!: (error: Error) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("createSlots", () => {
  it("runs at most `size` tasks at once and starts the others in arrival order", async () => {
    const slots = createSlots(2);
    const gates = Array.from({ length: 5 }, () => gate<number>());
    const started: number[] = [];
    const results = gates.map((g, i) =>
      slots.run(() => {
        started.push(i);
        return g.promise;
      }),
    );
    await tick();
    expect(started).toEqual([0, 1]);
    expect([slots.running, slots.waiting]).toEqual([2, 3]);

    gates[1]!.open(1);
    await tick();
    expect(started).toEqual([0, 1, 2]);
    expect([slots.running, slots.waiting]).toEqual([2, 2]);

    gates[0]!.open(0);
    gates[2]!.open(2);
    await tick();
    expect(started).toEqual([0, 1, 2, 3, 4]);
    gates[3]!.open(3);
    gates[4]!.open(4);
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect([slots.running, slots.waiting]).toEqual([0, 0]);
  });

  it("frees the slot of a task that fails, and passes its error on", async () => {
    const slots = createSlots(1);
    const first = gate<string>();
    const failing = slots.run(() => first.promise);
    const next = slots.run(async () => "next");
    await tick();
    expect(slots.waiting).toBe(1);
    first.fail(new Error("boom"));
    await expect(failing).rejects.toThrow("boom");
    await expect(next).resolves.toBe("next");
    expect([slots.running, slots.waiting]).toEqual([0, 0]);
  });

  it("frees the slot of a task that throws before it returns a promise", async () => {
    const slots = createSlots(1);
    await expect(
      slots.run(() => {
        throw new Error("sync");
      }),
    ).rejects.toThrow("sync");
    await expect(slots.run(async () => 7)).resolves.toBe(7);
    expect(slots.running).toBe(0);
  });

  it("refuses a size that is not a positive integer", () => {
    for (const size of [0, -1, 1.5, Number.NaN]) expect(() => createSlots(size)).toThrow(RangeError);
  });
});

describe("argon2id secrets", () => {
  it("leaves at least one libuv pool thread to the rest of the process", () => {
    expect(HASHING_SLOTS).toBeGreaterThanOrEqual(1);
    expect(HASHING_SLOTS).toBeLessThanOrEqual(Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 1));
  });

  it("never takes the whole libuv pool: a file read during a burst of hashes does not wait for them", async () => {
    const done: string[] = [];
    const hashes = Array.from({ length: 8 }, (_, i) => hashSecret(`burst ${i}`).then(() => done.push("hash")));
    await tick();
    // Without the bound, the pool's 4 threads would all be hashing and the read would queue behind them.
    await readFile(import.meta.filename);
    done.push("read");
    await Promise.all(hashes);
    expect(done.indexOf("read")).toBe(0);
  });

  it("verifies what it hashed, after NFKC normalization, and nothing else", async () => {
    const encoded = await hashSecret("ﬁsh and chips"); // "ﬁ" is one ligature code point
    expect(encoded).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(encoded)).toBe(false);
    const [plain, ligature, wrong] = await Promise.all([verifySecret(encoded, "fish and chips"), verifySecret(encoded, "ﬁsh and chips"), verifySecret(encoded, "fish and chip")]);
    expect([plain, ligature, wrong]).toEqual([true, true, false]);
  });

  it("never matches a malformed hash, and asks for a rehash of one made with other parameters", async () => {
    expect(await verifySecret("not-a-hash", "anything")).toBe(false);
    expect(needsRehash("not-a-hash")).toBe(true);
    expect(needsRehash(`$argon2id$v=19$m=65536,t=3,p=4$c29tZXNhbHQ$${"A".repeat(43)}`)).toBe(true);
    expect(ARGON2.memoryCost).toBe(19_456);
  });
});
