/**
 * A test file's kernel: booted on a fresh database before the file's tests, stopped (and the
 * database dropped) after them.
 *
 *     const booted = useTestKernel();
 *     test("…", async () => { const { kernel } = booted; … });
 */
import { afterAll, beforeAll } from "vitest";
import type { Kernel } from "~/kernel/kernel";
import { bootTestKernel } from "./database";

export function useTestKernel(options: Parameters<typeof bootTestKernel>[0] = {}): { readonly kernel: Kernel } {
  let booted: Awaited<ReturnType<typeof bootTestKernel>> | undefined;
  beforeAll(async () => {
    booted = await bootTestKernel(options);
  });
  afterAll(async () => booted?.close());
  return {
    get kernel(): Kernel {
      if (!booted) throw new Error("The test kernel is read before beforeAll booted it.");
      return booted.kernel;
    },
  };
}
