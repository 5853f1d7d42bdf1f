/**
 * The kernel has no import circle. A circle between modules that run code at load time makes
 * the result depend on which file is imported first (a helper read before its module finished
 * evaluating is `undefined`), and it means two modules cannot be understood apart.
 *
 * Type-only imports (`import type`, or every specifier marked `type`) are erased before the
 * code runs, so they cannot form a load-order circle and are left out; dynamic `import()` is
 * lazy and left out too.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, test } from "vitest";
import { resolveSpecifier, root, runtimeImportsOf, sourceFilesUnder } from "../setup/module-graph";

const kernelDir = path.join(root, "src/kernel");

/** Every elementary circle's smallest representative, found by depth-first search (the graph is small). */
export function findCycles(graph: Map<string, string[]>): string[][] {
  const cycles = new Map<string, string[]>();
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, "visiting");
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === "visiting") {
        const cycle = stack.slice(stack.indexOf(next));
        // One key per circle whatever node it was entered from.
        const start = cycle.indexOf([...cycle].sort()[0]!);
        const normalized = [...cycle.slice(start), ...cycle.slice(0, start)];
        cycles.set(normalized.join(" → "), normalized);
      } else if (!state.has(next)) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of graph.keys()) if (!state.has(node)) visit(node);
  return [...cycles.values()];
}

function kernelGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFilesUnder(kernelDir)) {
    const edges = runtimeImportsOf(file, readFileSync(file, "utf8"))
      .map((spec) => resolveSpecifier(file, spec))
      .filter((target): target is string => target !== null && target.startsWith(kernelDir + path.sep));
    graph.set(path.relative(root, file), edges.map((e) => path.relative(root, e)));
  }
  return graph;
}

describe("kernel imports", () => {
  test("no module of src/kernel imports itself through a circle", () => {
    const graph = kernelGraph();
    expect(graph.size).toBeGreaterThan(20);
    expect(graph.get("src/kernel/trpc.ts")).toContain("src/kernel/errors.ts");
    const cycles = findCycles(graph).map((c) => [...c, c[0]].join(" → "));
    expect(cycles).toEqual([]);
  });

  test("the scan sees a circle when there is one, and ignores type-only imports", () => {
    expect(runtimeImportsOf("a.ts", `import type { X } from "./b"; import { type Y } from "./c"; import { z } from "./d"; export { w } from "./e"; export type { V } from "./f";`)).toEqual([
      "./d",
      "./e",
    ]);
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c"]]);
    expect(findCycles(new Map([["a", ["b"]], ["b", []]]))).toEqual([]);
  });
});
