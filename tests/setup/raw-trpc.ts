/**
 * A tRPC instance outside the kernel's builders, to prove the kernel refuses procedures that
 * skip them. Never use this in a plugin.
 */
import { initTRPC } from "@trpc/server";
import type { ProcedureMeta, RequestContext } from "~/kernel/trpc";

export const t = initTRPC.context<RequestContext>().meta<ProcedureMeta>().create();
