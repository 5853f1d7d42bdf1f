/**
 * Errors as values with codes, shared by procedures, services, CLI commands and HTTP routes.
 *
 * This module depends on nothing of the kernel (in particular not on the procedure builder in
 * `trpc.ts`), so a service can raise a field error without importing tRPC's wiring, and the
 * builder's own dependencies (sign-in policy, tenancy) can raise them without an import circle.
 */
import { TRPCError } from "@trpc/server";
import type { ZodError } from "zod";

/** Field errors from a zod error: `{ "layout.rows.0.width": ["Expected a number"] }`. */
export function fieldErrorsOf(error: ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/**
 * Carries field errors on a TRPCError that is not a zod failure (a taken slug, a wrong password).
 * The error formatter sends `fields` as `data.fieldErrors`.
 */
export class FieldErrors extends Error {
  constructor(readonly fields: Record<string, string[]>) {
    super(Object.entries(fields).map(([k, v]) => `${k}: ${v.join(", ")}`).join("; "));
  }
}

/** An error with a code, a message a person can act on, and the field it concerns. */
export function fieldError(
  code: "CONFLICT" | "UNPROCESSABLE_CONTENT" | "BAD_REQUEST" | "FORBIDDEN" | "UNAUTHORIZED",
  field: string,
  message: string,
): TRPCError {
  return new TRPCError({ code, message, cause: new FieldErrors({ [field]: [message] }) });
}

/**
 * 404: the thing does not exist *or* the caller may not see it. Say the same in both cases
 * ("Project not found."), so callers cannot enumerate what exists.
 */
export function notFound(message: string): TRPCError {
  return new TRPCError({ code: "NOT_FOUND", message });
}

/** 403: the caller may see the thing but lacks the right to do this; say which right. */
export function forbidden(message: string): TRPCError {
  return new TRPCError({ code: "FORBIDDEN", message });
}
