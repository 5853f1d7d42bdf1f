import { describe, expect, test } from "vitest";
import { collector, idleCollector } from "./idle-gc";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("idle collection", () => {
  test("runs once after a quiet period that follows enough requests, never during traffic", async () => {
    let runs = 0;
    const idle = idleCollector({ quietMs: 60, minRequests: 3, rounds: 1, collect: () => runs++ });
    idle.served();
    await sleep(100);
    expect(runs).toBe(0); // one request: not worth a collection
    for (let i = 0; i < 5; i++) {
      idle.served();
      await sleep(20); // traffic keeps postponing it
    }
    expect(runs).toBe(0);
    await sleep(100);
    expect(runs).toBe(1);
    await sleep(100);
    expect(runs).toBe(1); // quiet stays quiet: no second run without new requests
    for (let i = 0; i < 3; i++) idle.served();
    await sleep(100);
    expect(runs).toBe(2);
  });

  test("collects in rounds a moment apart, and traffic stops the rounds left", async () => {
    let runs = 0;
    const idle = idleCollector({ quietMs: 100, minRequests: 1, rounds: 3, roundGapMs: 100, collect: () => runs++ });
    idle.served();
    await sleep(150);
    expect(runs).toBe(1);
    await sleep(250);
    expect(runs).toBe(3);
    await sleep(200);
    expect(runs).toBe(3); // three rounds, then nothing
    idle.served();
    await sleep(150);
    expect(runs).toBe(4);
    idle.served(); // a request between the rounds: they stop, and the next quiet period starts over
    await sleep(50);
    expect(runs).toBe(4);
    await sleep(350);
    expect(runs).toBe(7);
  });

  test("V8's collector is reachable and frees what is no longer referenced", async () => {
    const gc = collector();
    expect(typeof gc).toBe("function");
    let garbage: number[][] | null = Array.from({ length: 200 }, () => new Array(10_000).fill(1));
    const ref = new WeakRef(garbage);
    garbage = null;
    await sleep(0);
    gc!();
    expect(ref.deref()).toBeUndefined();
  });
});
