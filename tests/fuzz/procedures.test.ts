/**
 * The fuzz gate over HTTP: every procedure of the router (walked, so a new one is fuzzed without
 * anyone adding a line), called through real HTTP as the org's owner and as nobody, with inputs
 * generated from its zod schema: plausible ones (reaching deep code) and hostile ones. No answer
 * may be a 5xx, hang, or carry a stack trace, SQL text or a JavaScript engine message.
 *
 * A fixed seed and a modest run count here; `npm run test:fuzz` runs longer with a random seed
 * (FUZZ_SEED=<n>|random, FUZZ_RUNS=<cases per procedure>).
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { hostile, plausible } from "./arbitraries";
import { answerProblem, bootFuzzWorld, callOverHttp, fuzzableProcedures, fuzzSettings, preview, type FuzzWorld } from "./world";

const { seed, runs } = fuzzSettings({ runs: 10 });
/** Stop generating cases for one procedure after this long (a few are slow by nature: loading sample data). */
const BUDGET_MS = Number(process.env.FUZZ_BUDGET_MS ?? (process.env.FUZZ_RUNS ? 30_000 : 1_500));
const MIN_CASES = 2;
const CONCURRENCY = 3;
const ANONYMOUS_CASES = 2;
const CALL_TIMEOUT_MS = 20_000;
const RAW_BODIES = ["not json", "{", '{"orgId":', "[]", "null", "", '"\\u0000"', "{}".padEnd(200, " ")];

let world: FuzzWorld;

beforeAll(async () => {
  world = await bootFuzzWorld();
}, 120_000);
afterAll(async () => world?.close());

test(`every procedure over HTTP answers without a 5xx, a hang or internals (seed ${seed})`, { timeout: 600_000 }, async () => {
  const procedures = fuzzableProcedures();
  const origin = new URL(world.kernel.config.publicUrl).origin;
  /** One example per procedure and kind of problem (the count says how often it was seen). */
  const failures = new Map<string, { example: string; count: number }>();
  const fail = (path: string, problem: string, example: string) => {
    const key = `${path}: ${problem}`;
    const known = failures.get(key);
    if (known) known.count++;
    else failures.set(key, { example, count: 1 });
  };
  let calls = 0;
  let fiveHundreds = 0;
  let succeeded = 0;
  const check = (path: string, who: string, input: unknown, answer: { status: number; body: string }) => {
    calls++;
    if (answer.status === 200) succeeded++;
    const problem = answerProblem(answer);
    if (!problem) return;
    if (answer.status >= 500) fiveHundreds++;
    fail(path, problem, `as ${who}, input ${preview(input)} → ${answer.body.slice(0, 300)}`);
  };
  const call = async (path: string, who: string, procedure: (typeof procedures)[number], input: unknown, cookie?: string, rawBody?: string) => {
    try {
      check(path, who, rawBody ?? input, await callOverHttp(world.server.base, procedure, input, { cookie, origin, timeoutMs: CALL_TIMEOUT_MS, rawBody }));
    } catch (err) {
      calls++;
      fail(path, `no answer (${(err as Error).name})`, `as ${who}, input ${preview(rawBody ?? input)}: ${(err as Error).message}`);
    }
  };

  const spent: Array<[string, number]> = [];
  for (const [index, procedure] of procedures.entries()) {
    const began = performance.now();
    await world.heal();
    const cookie = await world.sessionCookie();
    const half = Math.max(1, Math.ceil(runs / 2));
    const inputs = [
      ...fc.sample(plausible(procedure.schema, world.seeds), { seed: seed + index, numRuns: half }),
      ...fc.sample(hostile(procedure.schema, world.seeds), { seed: seed + 7919 * (index + 1), numRuns: runs - half }),
    ];
    // Interleave plausible and hostile cases, so a time budget cuts both alike.
    const ordered = inputs.map((_, i) => inputs[i % 2 === 0 ? i / 2 : half + (i - 1) / 2]).filter((_, i) => i < inputs.length);
    const started = performance.now();
    let next = 0;
    // The first cases one by one (a slow procedure stops there), then a few calls at once (as
    // browsers and agents do), each case once, until the time budget is spent.
    while (next < Math.min(MIN_CASES, ordered.length)) await call(procedure.path, "owner", procedure, ordered[next++], cookie);
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < ordered.length && performance.now() - started < BUDGET_MS) {
          const input = ordered[next++];
          await call(procedure.path, "owner", procedure, input, cookie);
        }
      }),
    );
    // Nobody signed in: hostile inputs must still meet a clean 401 (or a public answer).
    await Promise.all(ordered.slice(0, ANONYMOUS_CASES).map((input) => call(procedure.path, "anonymous", procedure, input)));
    if (procedure.type !== "subscription") {
      // Bodies that are not JSON at all, two per procedure in turn.
      const raws = [RAW_BODIES[(2 * index) % RAW_BODIES.length]!, RAW_BODIES[(2 * index + 1) % RAW_BODIES.length]!];
      await Promise.all(raws.map((raw) => call(procedure.path, "owner", procedure, undefined, cookie, raw)));
    }
    spent.push([procedure.path, performance.now() - began]);
  }

  const slowest = spent.sort((a, b) => b[1] - a[1]).slice(0, 6).map(([path, ms]) => `${path} ${Math.round(ms)} ms`);
  console.log(`slowest: ${slowest.join(", ")}`);
  const report = [...failures].map(([key, { example, count }]) => `${key} (${count}×), e.g. ${example}`);
  console.log(`fuzz over HTTP (seed ${seed}, ${runs} cases per procedure): ${procedures.length} procedures, ${calls} calls (${succeeded} answered 200), ${fiveHundreds} answers 5xx, ${report.length} kinds of problem`);
  expect(report, report.join("\n")).toEqual([]);
});
