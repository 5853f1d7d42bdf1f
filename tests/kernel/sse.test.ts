/**
 * Subscriptions reach a client over real HTTP as Server-Sent Events, through tRPC's fetch
 * adapter (the same one /api/trpc uses) and the official client's httpSubscriptionLink.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink } from "@trpc/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { EventSource } from "eventsource";
import { afterAll, beforeAll, expect, test } from "vitest";
import { useTestKernel } from "../setup/kernel";
import { contextFor, createOrg, createUser, testRouter } from "../setup/fixtures";

let server: http.Server;
let base: string;

const booted = useTestKernel();
beforeAll(async () => {
  const { kernel } = booted;
  server = http.createServer(async (req, res) => {
    const request = new Request(`http://127.0.0.1${req.url}`, {
      method: req.method,
      headers: req.headers as Record<string, string>,
      body: req.method === "GET" ? undefined : (req as unknown as BodyInit),
      duplex: "half",
    } as RequestInit);
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: testRouter,
      // Stand-in for sessions: the test names the user in a header.
      createContext: () => contextFor(kernel, { kind: "user", userId: String(req.headers["x-test-user"] ?? request.url.match(/user=([^&]+)/)?.[1]) }),
    });
    res.writeHead(response.status, Object.fromEntries(response.headers));
    if (!response.body) return res.end();
    const reader = response.body.getReader();
    req.on("close", () => void reader.cancel().catch(() => {}));
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true as const, value: undefined }));
      if (done) break;
      res.write(value);
    }
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/trpc`;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

test("notes added by one member stream to another member's browser over SSE", async () => {
  const { kernel } = booted;
  const alice = await createUser(kernel);
  const bob = await createUser(kernel);
  const org = await createOrg(kernel, [
    { userId: alice.id, role: "editor" },
    { userId: bob.id, role: "viewer" },
  ]);
  const clientFor = (userId: string) =>
    createTRPCClient<typeof testRouter>({
      links: [
        splitLink({
          condition: (op) => op.type === "subscription",
          true: httpSubscriptionLink({ url: `${base}?user=${userId}`, EventSource }),
          false: httpBatchLink({ url: base, headers: { "x-test-user": userId } }),
        }),
      ],
    });

  const received: string[] = [];
  let added: Promise<unknown> = Promise.resolve();
  const gotOne = new Promise<void>((resolve, reject) => {
    const sub = clientFor(bob.id).example.notes.onAdded.subscribe(
      { orgId: org.id },
      {
        onStarted: () => {
          added = clientFor(alice.id).example.notes.add.mutate({ orgId: org.id, body: "live!" });
        },
        onData: (note) => {
          received.push(note.body);
          sub.unsubscribe();
          resolve();
        },
        onError: reject,
      },
    );
  });
  await gotOne;
  await added;
  expect(received).toEqual(["live!"]);
});
