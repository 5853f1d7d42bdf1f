/**
 * For tests of the pages' stores: the browser's typed tRPC client, speaking real tRPC over
 * `fetch` to the test router in this process (no socket), signed in as `userId`. Errors arrive
 * as the browser gets them (`TRPCClientError` with `data.code`, `httpStatus`, `fieldErrors`).
 */
import { createTRPCClient, httpBatchLink, httpLink, splitLink, type TRPCClient } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import type { Kernel } from "~/kernel/kernel";
import type { AppRouter } from "~/plugins";
import { contextFor, testRouter } from "./fixtures";

export function clientAs(kernel: Kernel, userId: string): TRPCClient<AppRouter> {
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) =>
    fetchRequestHandler({
      endpoint: "/api/trpc",
      req: new Request(input, init),
      router: testRouter,
      allowMethodOverride: true,
      createContext: () => contextFor(kernel, { kind: "user", userId }),
    })) as typeof globalThis.fetch;
  const url = "http://atrium.test/api/trpc";
  return createTRPCClient<AppRouter>({
    links: [splitLink({ condition: (op) => op.type === "mutation", true: httpLink({ url, fetch }), false: httpBatchLink({ url, fetch, methodOverride: "POST" }) })],
  });
}
