/**
 * What went wrong with a call, in the words the UI shows. Every procedure answers errors in
 * one shape (ARCHITECTURE.md §4): `data.code`, `data.httpStatus` and, for input problems,
 * `data.fieldErrors` (`{ field: [messages] }`). A request that never reached the server has
 * none of them.
 */
import { TRPCClientError } from "@trpc/client";

export interface Problem {
  /** A sentence a person can act on. */
  message: string;
  /** The tRPC code (`FORBIDDEN`, `CONFLICT` …), or null when the server was not reached. */
  code: string | null;
  httpStatus: number | null;
  /** Messages by input field (dotted path), possibly empty. */
  fieldErrors: Record<string, string[]>;
}

const UNREACHABLE = "We couldn’t reach the Atrium server. Check your connection and try again.";

interface ErrorData {
  code?: unknown;
  httpStatus?: unknown;
  fieldErrors?: unknown;
}

function fieldErrorsOf(value: unknown): Record<string, string[]> {
  if (!value || typeof value !== "object") return {};
  const out: Record<string, string[]> = {};
  for (const [field, messages] of Object.entries(value as Record<string, unknown>)) {
    if (Array.isArray(messages)) out[field] = messages.filter((m): m is string => typeof m === "string");
  }
  return out;
}

/** Reads any thrown value as a `Problem`. */
export function problemOf(error: unknown): Problem {
  if (error instanceof TRPCClientError) {
    const data = (error.data ?? null) as ErrorData | null;
    if (!data || typeof data.code !== "string") {
      // Not a procedure's answer. An HTTP error with a JSON message of our own (the endpoint's
      // Origin check) says what it is; anything else failed on the way (offline, server down).
      const meta = error.meta as { response?: { status?: number }; responseJSON?: { error?: { message?: unknown; data?: ErrorData } } } | undefined;
      const body = meta?.responseJSON?.error;
      if (typeof body?.message === "string" && typeof meta?.response?.status === "number") {
        const code = typeof body.data?.code === "string" ? body.data.code : null;
        return { message: body.message, code, httpStatus: meta.response.status, fieldErrors: {} };
      }
      return { message: UNREACHABLE, code: null, httpStatus: null, fieldErrors: {} };
    }
    return {
      message: error.message || "Something went wrong. Try again.",
      code: data.code,
      httpStatus: typeof data.httpStatus === "number" ? data.httpStatus : null,
      fieldErrors: fieldErrorsOf(data.fieldErrors),
    };
  }
  if (error instanceof Error && error.name === "AbortError") {
    return { message: "The request was cancelled.", code: null, httpStatus: null, fieldErrors: {} };
  }
  return { message: "Something went wrong. Try again.", code: null, httpStatus: null, fieldErrors: {} };
}
