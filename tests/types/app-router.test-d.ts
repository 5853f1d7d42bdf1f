/**
 * Type test (checked by `npm run typecheck`): a plugin procedure's input and output types
 * reach the browser client through the inferred router type, with no hand-written types.
 */
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import { expectTypeOf } from "vitest";
import { type buildAppRouter } from "~/kernel/router";
import type { AppRouter } from "~/plugins";
import type { examplePlugin } from "../example-plugin";

type RouterWithExample = ReturnType<typeof buildAppRouter<readonly [typeof examplePlugin]>>;
const client = createTRPCClient<RouterWithExample>({ links: [httpBatchLink({ url: "http://localhost/api/trpc" })] });

// Input: exactly what the zod schema accepts.
expectTypeOf(client.example.hello.query).parameter(0).toEqualTypeOf<{ name: string }>();
// Output: what the resolver returns.
expectTypeOf(client.example.hello.query).returns.resolves.toEqualTypeOf<{ greeting: string; length: number }>();
// capabilityProcedure adds orgId to the plugin's own input.
expectTypeOf(client.example.notes.add.mutate).parameter(0).toEqualTypeOf<{ orgId: string; body: string }>();
// Dates arrive as ISO strings (JSON, no transformer), and the client type says so.
expectTypeOf(client.example.notes.add.mutate).returns.resolves.toEqualTypeOf<{ id: string; body: string; created_at: string }>();
// Subscriptions are typed too.
expectTypeOf(client.example.notes.onAdded.subscribe).parameter(0).toEqualTypeOf<{ orgId: string }>();

// The shipped router always carries the kernel's procedures.
const app = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: "http://localhost/api/trpc" })] });
expectTypeOf(app.kernel.info.query).returns.resolves.toEqualTypeOf<{ name: string; version: string; plugins: string[] }>();
// @ts-expect-error: the example plugin is not installed in the shipped app.
void app.example;
