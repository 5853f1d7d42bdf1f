/**
 * Address slugs suggested from names, by the server's rules (src/kernel/tenancy/service.ts):
 * lower-case letters, digits and inner hyphens, 1–40 characters.
 */
export const SLUG_MAX = 40;

/** "Acme Analytics, Inc." → "acme-analytics-inc"; accents dropped ("Café" → "cafe"). */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+/, "")
    .slice(0, SLUG_MAX)
    .replace(/-+$/, "");
}
