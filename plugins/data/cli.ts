/** Helpers for the data plugin's CLI commands. */
import type { Kernel } from "~/kernel/kernel";

/** A mistake in the command line; its message says what to change. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The org named by `--org <slug>` (operators act across orgs: the owner's connection). */
export async function orgBySlug(kernel: Kernel, flags: Record<string, string | boolean>): Promise<{ id: string; slug: string }> {
  const slug = typeof flags.org === "string" ? flags.org.trim().toLowerCase() : "";
  if (!slug) throw new UsageError("--org <slug> is required");
  const org = await kernel.ownerDb.selectFrom("orgs").select(["id", "slug"]).where("slug", "=", slug).where("deleted_at", "is", null).executeTakeFirst();
  if (!org) throw new UsageError(`No organization with slug ${slug}`);
  return org;
}
