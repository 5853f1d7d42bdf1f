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
import { createTRPCClient, httpBatchStreamLink, httpLink, httpSubscriptionLink, splitLink, type TRPCClient, type TRPCLink } from "@trpc/client";
import { observable } from "@trpc/server/observable";
import type { AppRouter } from "~/plugins";
import { takeBoot } from "./boot-cache";

export const TRPC_ENDPOINT = "/api/trpc";

/** Dispatched on `window` when a call answers 401: the session ended (expired, or signed out elsewhere). */
export const SESSION_LOST_EVENT = "atrium:session-lost";

/** Tells the page when a call finds the person signed out, so the shell can send them to sign in. */
const sessionLostLink: TRPCLink<AppRouter> = () => ({ next, op }) =>
  observable((observer) =>
    next(op).subscribe({
      next: (value) => observer.next(value),
      error: (error) => {
        if (error.data?.code === "UNAUTHORIZED" && typeof window !== "undefined") window.dispatchEvent(new Event(SESSION_LOST_EVENT));
        observer.error(error);
      },
      complete: () => observer.complete(),
    }),
  );

/**
 * Answers a page's first calls from the answers its HTML carried (src/ui/boot.tsx), each once,
 * instead of asking the server again for what it just computed.
 */
const bootLink: TRPCLink<AppRouter> = () => ({ next, op }) =>
  observable((observer) => {
    const boot = op.type === "query" ? takeBoot(op.path, op.input) : undefined;
    if (!boot) return next(op).subscribe(observer);
    observer.next({ result: { type: "data", data: boot.result } } as never);
    observer.complete();
    return () => {};
  });

/** Builds a client; `baseUrl` is for callers outside a page (tests, scripts). */
export function createAtriumClient(baseUrl = ""): TRPCClient<AppRouter> {
  const url = `${baseUrl}${TRPC_ENDPOINT}`;
  return createTRPCClient<AppRouter>({
    links: [
      sessionLostLink,
      bootLink,
      splitLink({
        condition: (op) => op.type === "subscription",
        true: httpSubscriptionLink({ url }),
        false: splitLink({
          condition: (op) => op.type === "mutation",
          true: httpLink({ url }),
          // The server refuses batches over ATRIUM_MAX_BATCH (25 by default): stay well under it.
          false: httpBatchStreamLink({ url, maxItems: 10 }),
        }),
      }),
    ],
  });
}

/** The browser's client, for calls to this server. */
export const trpc = createAtriumClient();

const PROCEDURE_PATH = /^[a-zA-Z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*)+$/;

/**
 * Calls a query procedure named by its dotted path (`"dashboards.get"`): for contracts that
 * name a procedure as data, such as a page's record, so the kernel calls plugin procedures
 * without naming any plugin's router in its code.
 */
export function queryByPath(path: string, input: unknown): Promise<unknown> {
  if (!PROCEDURE_PATH.test(path)) return Promise.reject(new Error(`Not a procedure path: "${path}"`));
  // The client is a proxy: any path resolves to a caller; the server answers unknown ones with NOT_FOUND.
  let node: unknown = trpc;
  for (const key of path.split(".")) node = (node as Record<string, unknown>)[key];
  return (node as { query(input: unknown): Promise<unknown> }).query(input);
}
