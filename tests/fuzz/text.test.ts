/**
 * Text PostgreSQL cannot store never reaches it: for every procedure taking strings, a valid
 * input with a NUL character (`\u0000`) or an unpaired surrogate (`\ud800`) planted in one
 * string field at a time answers 422 naming that field (never a 500), over real HTTP as the
 * org's owner. Valid inputs come from each procedure's own schema (walked, nothing listed here).
 */
import fc from "fast-check";
import type { ZodType } from "zod";
import { afterAll, beforeAll, expect, test } from "vitest";
import { testRouter } from "../setup/fixtures";
import { plausible, replaceAt, stringPaths } from "./arbitraries";
import { bootFuzzWorld, callOverHttp, fuzzableProcedures, preview, type FuzzWorld } from "./world";

let world: FuzzWorld;

beforeAll(async () => {
  world = await bootFuzzWorld();
}, 120_000);
afterAll(async () => world?.close());

/** The first generated input every one of the procedure's parsers accepts, or null. */
function validInput(path: string, schema: Parameters<typeof plausible>[0], index: number): Record<string, unknown> | null {
  const parsers = ((testRouter._def.procedures as unknown as Record<string, { _def: { inputs?: ZodType[] } }>)[path]!._def.inputs ?? []) as ZodType[];
  for (const candidate of fc.sample(plausible(schema, world.seeds, undefined, 0, true), { seed: 4242 + index, numRuns: 300 })) {
    if (candidate && typeof candidate === "object" && parsers.every((parser) => parser.safeParse(candidate).success)) return candidate as Record<string, unknown>;
  }
  return null;
}

test("a NUL or an unpaired surrogate in any string field of any procedure answers 422 naming the field", { timeout: 300_000 }, async () => {
  const origin = new URL(world.kernel.config.publicUrl).origin;
  const wrong: string[] = [];
  const covered = new Set<string>();
  const uncovered: string[] = [];
  let fields = 0;
  // Every planted call is refused before it changes anything, so one session serves them all.
  const cookie = await world.sessionCookie();
  for (const [index, procedure] of fuzzableProcedures().entries()) {
    if (procedure.type === "subscription") continue;
    const input = validInput(procedure.path, procedure.schema, index);
    if (!input) {
      if (JSON.stringify(procedure.schema).includes('"string"')) uncovered.push(procedure.path);
      continue;
    }
    for (const at of stringPaths(input)) {
      fields++;
      covered.add(procedure.path);
      for (const bad of ["a\u0000b", "\ud800", "x\udfff"]) {
        const planted = replaceAt(input, at, bad);
        const answer = await callOverHttp(world.server.base, procedure, planted, { cookie, origin, timeoutMs: 20_000 });
        const field = at.join(".");
        let fieldErrors: Record<string, string[]> | null = null;
        try {
          fieldErrors = (JSON.parse(answer.body) as { error?: { data?: { fieldErrors?: Record<string, string[]> } } }).error?.data?.fieldErrors ?? null;
        } catch {
          // Not JSON: reported below by status.
        }
        const named = fieldErrors !== null && Object.keys(fieldErrors).some((key) => key === field || key.startsWith(`${field}.`));
        if (answer.status !== 422 || !named) wrong.push(`${procedure.path} ${field}=${JSON.stringify(bad)}: ${answer.status} ${answer.body.slice(0, 200)} (input ${preview(planted, 120)})`);
      }
    }
  }
  console.log(`NUL/surrogate check: ${covered.size} procedures, ${fields} string fields × 3 values; no valid input generated for: ${uncovered.join(", ") || "none"}`);
  expect(wrong, wrong.join("\n")).toEqual([]);
  // The walk must keep reaching the procedures that take text (not silently test nothing).
  expect(covered.size).toBeGreaterThanOrEqual(35);
  expect(uncovered, "procedures taking strings for which no valid input could be generated").toEqual([]);
});
