/**
 * The typed tRPC client for the browser. Types come from `AppRouter` (type-only import: no
 * server code reaches the bundle). Subscriptions stream over SSE; queries are batched and
 * streamed over HTTP; mutations go one per request, unstreamed, because a streamed response
 * has sent its headers before the procedure runs, and mutations set cookies (sign-in,
 * sign-out, password changes).
 *
 * Call it from the browser (in `onMount`, event handlers, or resources that only start after
 * mount); the server renders without it, so there is nothing to hydrate differently.
 */
import { createTRPCClient, httpBatchStreamLink, httpLink, httpSubscriptionLink, splitLink, type TRPCClient } from "@trpc/client";
import type { AppRouter } from "~/plugins";

export const TRPC_ENDPOINT = "/api/trpc";

/** Builds a client; `baseUrl` is for callers outside a page (tests, scripts). */
export function createAtriumClient(baseUrl = ""): TRPCClient<AppRouter> {
  const url = `${baseUrl}${TRPC_ENDPOINT}`;
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url }),
        false: splitLink({
          condition: (op) => op.type === "mutation",
          true: httpLink({ url }),
          false: httpBatchStreamLink({ url }),
        }),
      }),
    ],
  });
}

/** The browser's client, for calls to this server. */
export const trpc = createAtriumClient();
