/**
 * dbt Charts' named number formats and what they mean as d3-format specifiers (the formats
 * Atrium's charts take). The "native" names format in ways d3-format cannot express; they are
 * reported rather than approximated. Browser-safe.
 */
import { D3_FORMAT } from "../schema";

export const NAMED_NUMBER_FORMATS: Readonly<Record<string, string>> = {
  integer: ",.0f",
  number: ".3~s",
  number_full: ",.2f",
  currency: "$.3~s",
  currency_whole: "$,.0f",
  currency_full: "$,.2f",
  percent: ".1%",
  percent_whole: ".0%",
  percent_delta: "+.1%",
  delta: "+,d",
  year: "d",
};

/** Named formats Atrium cannot draw with d3-format (they divide or suffix outside its grammar). */
export const NATIVE_NUMBER_FORMATS = ["percent_number", "percent_number_delta", "percentage_points_delta"] as const;

export type FormatResult = { ok: true; d3: string } | { ok: false; message: string; hint: string };

/** A `number_format` / `format` value (a named format or a d3 specifier) as a d3 specifier. */
export function resolveNumberFormat(format: string): FormatResult {
  const named = NAMED_NUMBER_FORMATS[format];
  if (named !== undefined) return { ok: true, d3: named };
  if ((NATIVE_NUMBER_FORMATS as readonly string[]).includes(format)) {
    return { ok: false, message: `The format "${format}" is not available in Atrium`, hint: "Use a d3 format instead, e.g. \".1%\" on a ratio (divide by 100 in the query) or \",.1f\"." };
  }
  if (D3_FORMAT.test(format)) return { ok: true, d3: format };
  return { ok: false, message: `"${format}" is neither a named format nor a d3 format`, hint: `Use a d3 format such as ",.0f" or one of: ${Object.keys(NAMED_NUMBER_FORMATS).join(", ")}.` };
}

/** The named format a d3 specifier came from, for writing boards back (else the specifier). */
export function nameOfNumberFormat(d3: string): string {
  return Object.entries(NAMED_NUMBER_FORMATS).find(([, spec]) => spec === d3)?.[0] ?? d3;
}
