import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { describe, expect, it } from "vitest";
import { ARGON2, HASHING_THREADS, hashSecret, needsRehash, stopHashingThreads, verifySecret } from "./password-hash";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("argon2id secrets", () => {
  it("runs one thread per core, at most four", () => {
    expect(HASHING_THREADS).toBeGreaterThanOrEqual(1);
    expect(HASHING_THREADS).toBeLessThanOrEqual(Math.min(4, availableParallelism()));
  });

  it("never takes the libuv pool: a file read during a burst of hashes does not wait for them", async () => {
    const done: string[] = [];
    const hashes = Array.from({ length: 8 }, (_, i) => hashSecret(`burst ${i}`).then(() => done.push("hash")));
    await tick();
    // Hashed on the pool, its 4 threads would all be hashing and the read would queue behind them.
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

  it("keeps the event loop turning while it hashes", async () => {
    let turns = 0;
    const timer = setInterval(() => turns++, 1);
    try {
      await Promise.all([hashSecret("one"), hashSecret("two"), hashSecret("three")]);
    } finally {
      clearInterval(timer);
    }
    // Three argon2id hashes take tens of milliseconds of CPU; hashed on the main thread, the
    // timer could not have fired in between.
    expect(turns).toBeGreaterThan(3);
  });

  it("fails the jobs of a thread that stops, and starts new threads for the next ones", async () => {
    const encoded = await hashSecret("before the stop");
    const inFlight = Promise.allSettled([verifySecret(encoded, "before the stop"), hashSecret("during the stop")]);
    await stopHashingThreads();
    const [verified, hashed] = await inFlight;
    expect(verified).toEqual({ status: "fulfilled", value: false });
    expect(hashed.status).toBe("rejected");
    expect(await verifySecret(encoded, "before the stop")).toBe(true);
  });
});
