/**
 * Kernel migrations, in order. Listed statically (no folder scanning) so the server bundle
 * carries them; names are date-prefixed and never change once released.
 */
import type { Migration } from "kysely";
import * as tenancy from "./2026-11-23-001-tenancy";

export const kernelMigrations: Record<string, Migration> = {
  "2026-11-23-001-tenancy": tenancy,
};
