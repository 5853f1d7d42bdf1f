/**
 * A procedure's middleware chain, run exactly as `@trpc/server` runs it (`callRecursive`: each
 * middleware gets the call's options, the procedure's meta and `next`; `next({ ctx })` merges
 * into the context; a throw becomes a failed result) but with one object literal per step where
 * tRPC's build copies the options through a generic spread helper (property descriptors, key by
 * key): that copying was a tenth of a trivial call's server time (docs/decisions/025-*.md).
 *
 * Used by the API path's single calls (src/server/trpc-fast.ts) and by tool calls
 * (`callProcedureDirect`, src/kernel/tools.ts); batches, subscriptions and the fetch adapter
 * keep tRPC's own.
 */
import type { AnyProcedure, AnyRouter } from "@trpc/server";
import { getTRPCErrorFromUnknown, middlewareMarker, type TRPCError } from "@trpc/server/unstable-core-do-not-import";

/** The parts of a procedure's `_def` the chain reads. */
export interface ProcedureChain {
  middlewares: Middleware[];
  meta: unknown;
}

export interface ChainOptions {
  ctx: unknown;
  type: string;
  path: string;
  input?: unknown;
  getRawInput: () => Promise<unknown>;
  signal: AbortSignal | undefined;
  batchIndex: number;
}
type ChainResult = { ok: true; data: unknown } | { ok: false; error: TRPCError };
export type Middleware = (opts: Record<string, unknown>) => Promise<ChainResult>;
interface NextOptions {
  ctx?: Record<string, unknown>;
  input?: unknown;
  getRawInput?: () => Promise<unknown>;
}

/**
 * tRPC's middleware chain exactly as `@trpc/server` runs it (`callRecursive`: each middleware
 * gets the call's options, the procedure's meta and `next`; `next({ ctx })` merges into the
 * context; a throw becomes a failed result). The context is merged with `Object.assign`: on Node 20
 * a spread followed by more properties (`{ ...ctx, ...more }`) takes V8's slow path, 0.5–1 µs a
 * time (docs/decisions/043-no-spread-with-extras-on-hot-paths.md).
 */
export async function runChain(def: ProcedureChain, index: number, opts: ChainOptions): Promise<ChainResult> {
  try {
    const middleware = def.middlewares[index]!;
    // The same fields tRPC's spread of the options gives, as one literal (one object shape).
    return await middleware({
      ctx: opts.ctx,
      type: opts.type,
      path: opts.path,
      input: opts.input,
      getRawInput: opts.getRawInput,
      signal: opts.signal,
      batchIndex: opts.batchIndex,
      meta: def.meta,
      next(nextOpts?: NextOptions) {
        return runChain(def, index + 1, {
          ctx: nextOpts?.ctx ? Object.assign({}, opts.ctx, nextOpts.ctx) : opts.ctx,
          type: opts.type,
          path: opts.path,
          input: nextOpts && "input" in nextOpts ? nextOpts.input : opts.input,
          getRawInput: nextOpts?.getRawInput ?? opts.getRawInput,
          signal: opts.signal,
          batchIndex: opts.batchIndex,
        });
      },
    });
  } catch (cause) {
    return { ok: false, error: getTRPCErrorFromUnknown(cause), marker: middlewareMarker } as ChainResult;
  }
}

/**
 * Calls the procedure at `path` as tRPC's server-side caller does (`createCallerFactory`): the raw
 * input given, no signal; answers its data or throws its error. Null when there is no such
 * procedure (the caller's NOT_FOUND is the caller's to raise).
 */
export function procedureAt(router: AnyRouter, path: string): AnyProcedure | null {
  const procedures = router._def.procedures as Record<string, AnyProcedure | undefined>;
  return Object.hasOwn(procedures, path) ? procedures[path]! : null;
}

export async function callProcedureDirect(procedure: AnyProcedure, call: { path: string; ctx: unknown; input: unknown; signal?: AbortSignal }): Promise<unknown> {
  const result = await runChain(procedure._def as unknown as ProcedureChain, 0, {
    ctx: call.ctx,
    type: procedure._def.type,
    path: call.path,
    getRawInput: async () => call.input,
    signal: call.signal,
    batchIndex: 0,
  });
  if (!result.ok) throw result.error;
  return result.data;
}
