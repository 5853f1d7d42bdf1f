/**
 * Signed embeds: a dashboard framed in another site, opened by a token that site's server signs
 * (HS256) with its project's embed key. The claims say which dashboard, which variables are
 * fixed to which values (`params`), which the viewer may change (`allowed`), which downloads
 * the viewer gets (`exports`), and when it expires (at most 24 hours after it was issued).
 *
 * Keys rotate with an overlap window: the new one is current, the old one keeps verifying until
 * it retires. A dashboard's "revoke all embeds" sets a cutoff: tokens issued at or before it
 * refuse. The project's allowed origins become the page's `frame-ancestors`. Every request
 * reads keys, cutoffs and origins from the database, so a change holds on every instance.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import { z } from "zod";
import { secretBox } from "~/kernel/crypto";
import type { KernelDatabase } from "~/kernel/db/schema";
import type { Kernel } from "~/kernel/kernel";
import { safeString, safeUnknown } from "~/kernel/schemas";
import { publishedDashboard } from "../dashboards/published";
import { EXPORT_KINDS, type ExportKind, type OpenLink } from "./links";
import { policyProblems, type LinkPolicy } from "./policy";

export type EmbedTables = {
  sharing_embed_secrets: {
    id: string;
    org_id: string;
    project_id: string;
    secret_enc: string;
    retires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
    created_by: string | null;
    created_at: ColumnType<Date, Date | string | undefined, never>;
  };
  sharing_embed_settings: {
    project_id: string;
    org_id: string;
    allowed_origins: ColumnType<string[], string, string>;
    updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
  };
  sharing_embed_cutoffs: {
    dashboard_id: string;
    org_id: string;
    revoked_before: ColumnType<Date, Date | string, Date | string>;
  };
  sharing_embed_stats: {
    dashboard_id: string;
    org_id: string;
    view_count: Generated<number>;
    last_viewed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  };
  sharing_embed_views: {
    id: Generated<string>;
    org_id: string;
    dashboard_id: string;
    key_id: string | null;
    viewed_at: Generated<Date>;
    ip_hash: string | null;
    variables: ColumnType<unknown, string, string>;
  };
};

type Db = Kysely<KernelDatabase & EmbedTables>;
const embedsDb = (db: Kysely<KernelDatabase>): Db => db.withTables<EmbedTables>();

/** The longest a token may live: its `exp` at most this long after its `iat` (and after now). */
export const MAX_EMBED_SECONDS = 24 * 3600;
/** Clock difference tolerated between the signer and Atrium. */
const SKEW_SECONDS = 60;
/** The longest overlap a rotation may give the old key. */
export const MAX_OVERLAP_HOURS = 7 * 24;
/** Origins a project may allow to frame its embeds. */
export const MAX_ORIGINS = 20;

const box = (kernel: Pick<Kernel, "secret">) => secretBox(kernel.secret, "sharing.embed-key");
const keyContext = (row: { org_id: string; project_id: string; id: string }) => `${row.org_id}:${row.project_id}:${row.id}`;

/** An origin a page may be framed by: scheme, host and optional port, nothing else. */
export const originSchema = safeString()
  .trim()
  .max(200, "At most 200 characters")
  .refine((text) => {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(text)) return false;
    try {
      return new URL(text).origin === text.toLowerCase();
    } catch {
      return false;
    }
  }, "An origin like https://intranet.example.com (scheme, host and port only)")
  .transform((text) => text.toLowerCase());

export type KeyStatus = "current" | "retiring" | "retired";

export interface EmbedKey {
  id: string;
  status: KeyStatus;
  createdAt: string;
  retiresAt: string | null;
}

function statusOf(retiresAt: Date | null, now = Date.now()): KeyStatus {
  if (!retiresAt) return "current";
  return retiresAt.getTime() > now ? "retiring" : "retired";
}

/** A project's keys (never the key material), newest first. */
export async function listKeys(db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string }): Promise<EmbedKey[]> {
  const rows = await embedsDb(db)
    .selectFrom("sharing_embed_secrets")
    .select(["id", "retires_at", "created_at"])
    .where("org_id", "=", where.orgId)
    .where("project_id", "=", where.projectId)
    .orderBy("created_at", "desc")
    .limit(20)
    .execute();
  return rows.map((r) => ({ id: r.id, status: statusOf(r.retires_at), createdAt: r.created_at.toISOString(), retiresAt: r.retires_at?.toISOString() ?? null }));
}

/**
 * Makes a new current key (returned here once; only its ciphertext is kept). The key that was
 * current keeps verifying for `overlapHours` (0: it retires now).
 */
export async function rotateKey(
  kernel: Pick<Kernel, "secret">,
  db: Kysely<KernelDatabase>,
  target: { orgId: string; projectId: string; createdBy: string; overlapHours: number },
): Promise<{ keyId: string; secret: string; retiring: { id: string; retiresAt: string }[] }> {
  const now = Date.now();
  const retiresAt = new Date(now + target.overlapHours * 3_600_000);
  const retiring = await embedsDb(db)
    .updateTable("sharing_embed_secrets")
    .set({ retires_at: retiresAt })
    .where("org_id", "=", target.orgId)
    .where("project_id", "=", target.projectId)
    .where("retires_at", "is", null)
    .returning(["id"])
    .execute();
  const secret = randomBytes(32).toString("base64url");
  const row = { id: randomUUID(), org_id: target.orgId, project_id: target.projectId };
  await embedsDb(db)
    .insertInto("sharing_embed_secrets")
    .values({ ...row, secret_enc: box(kernel).encrypt(secret, keyContext(row)), created_by: target.createdBy })
    .execute();
  return { keyId: row.id, secret, retiring: retiring.map((r) => ({ id: r.id, retiresAt: retiresAt.toISOString() })) };
}

/** Retires a key of this project now (tokens it signed refuse from the next request); 404 when there is none. */
export async function retireKey(db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string; keyId: string }): Promise<void> {
  const row = await embedsDb(db)
    .updateTable("sharing_embed_secrets")
    .set({ retires_at: new Date() })
    .where("id", "=", where.keyId)
    .where("org_id", "=", where.orgId)
    .where("project_id", "=", where.projectId)
    .where((eb) => eb.or([eb("retires_at", "is", null), eb("retires_at", ">", new Date())]))
    .returning("id")
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "No such embed key in this project (a retired key stays retired)." });
}

/** The origins allowed to frame this project's embeds. */
export async function embedOrigins(db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string }): Promise<string[]> {
  const row = await embedsDb(db)
    .selectFrom("sharing_embed_settings")
    .select("allowed_origins")
    .where("org_id", "=", where.orgId)
    .where("project_id", "=", where.projectId)
    .executeTakeFirst();
  return row?.allowed_origins ?? [];
}

export async function setEmbedOrigins(db: Kysely<KernelDatabase>, where: { orgId: string; projectId: string }, origins: string[]): Promise<void> {
  const value = JSON.stringify([...new Set(origins)]);
  await embedsDb(db)
    .insertInto("sharing_embed_settings")
    .values({ org_id: where.orgId, project_id: where.projectId, allowed_origins: value })
    .onConflict((oc) => oc.column("project_id").doUpdateSet({ allowed_origins: value, updated_at: new Date() }))
    .execute();
}

/** The `frame-ancestors` value for these origins (`'none'` when there are none). */
export function frameAncestorsFor(origins: readonly string[]): string {
  return origins.length ? origins.join(" ") : "'none'";
}

/** Refuses every token of this dashboard issued until now; returns the cutoff. */
export async function revokeEmbeds(db: Kysely<KernelDatabase>, where: { orgId: string; dashboardId: string }): Promise<Date> {
  const now = new Date();
  await embedsDb(db)
    .insertInto("sharing_embed_cutoffs")
    .values({ org_id: where.orgId, dashboard_id: where.dashboardId, revoked_before: now })
    .onConflict((oc) => oc.column("dashboard_id").doUpdateSet({ revoked_before: now }))
    .execute();
  return now;
}

export async function embedCutoff(db: Kysely<KernelDatabase>, where: { orgId: string; dashboardId: string }): Promise<Date | null> {
  const row = await embedsDb(db)
    .selectFrom("sharing_embed_cutoffs")
    .select("revoked_before")
    .where("org_id", "=", where.orgId)
    .where("dashboard_id", "=", where.dashboardId)
    .executeTakeFirst();
  return row?.revoked_before ?? null;
}

/** What a token says, as Atrium reads it. */
export const embedClaimsSchema = z.object({
  dashboard: z.uuid(),
  params: z.record(safeString().max(63), safeUnknown()).refine((p) => Object.keys(p).length <= 50, "At most 50 params").default({}),
  allowed: z.array(safeString().max(63)).max(50).default([]),
  exports: z.array(z.enum(EXPORT_KINDS)).max(3).default([]),
  iat: z.number().int(),
  exp: z.number().int(),
});
export type EmbedClaims = z.infer<typeof embedClaimsSchema>;

/** The policy a token's claims give: params fixed, allowed free, the rest fixed at their defaults. */
export function policyFromClaims(claims: Pick<EmbedClaims, "params" | "allowed">): LinkPolicy {
  const policy: LinkPolicy = {};
  for (const [name, value] of Object.entries(claims.params)) policy[name] = { mode: "locked", value };
  for (const name of claims.allowed) policy[name] = { mode: "free" };
  return policy;
}

/**
 * Signs a token with the project's current key (for `create_embed_token` and the dialog's test
 * token). 412 when the project has no key yet.
 */
export async function signEmbedToken(
  kernel: Pick<Kernel, "secret">,
  db: Kysely<KernelDatabase>,
  target: { orgId: string; projectId: string; dashboardId: string },
  claims: { params: Record<string, unknown>; allowed: string[]; exports: ExportKind[]; expiresInSeconds: number },
): Promise<{ token: string; expiresAt: Date }> {
  const row = await embedsDb(db)
    .selectFrom("sharing_embed_secrets")
    .select(["id", "org_id", "project_id", "secret_enc"])
    .where("org_id", "=", target.orgId)
    .where("project_id", "=", target.projectId)
    .where("retires_at", "is", null)
    .orderBy("created_at", "desc")
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "This project has no embed key yet: create one in the Share dialog's Embed tab first." });
  const key = Buffer.from(box(kernel).decrypt(row.secret_enc, keyContext(row)), "utf8");
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + Math.min(claims.expiresInSeconds, MAX_EMBED_SECONDS);
  const token = await new SignJWT({ dashboard: target.dashboardId, params: claims.params, allowed: claims.allowed, exports: claims.exports })
    .setProtectedHeader({ alg: "HS256", kid: row.id })
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000) };
}

export type EmbedRefusal = "invalid" | "expired" | "revoked" | "overscoped";

export const REFUSAL_MESSAGES: Record<EmbedRefusal, string> = {
  invalid: "This embed's token is not valid: it was altered, or signed with a key this project does not have (or no longer has).",
  expired: "This embed's token has expired. Reload the page that shows it to get a new one.",
  revoked: "This embed was revoked: tokens issued before the dashboard's embeds were revoked no longer open it.",
  overscoped: "This embed's token asks for more than it may: a variable the dashboard does not have, or a lifetime over 24 hours.",
};

/** Why the embed page refused a token, carrying who may frame that refusal (read by the page's lookup). */
export class EmbedRefused extends Error {
  override name = "EmbedRefused";
  constructor(
    readonly refusal: EmbedRefusal,
    readonly frameAncestors: string | undefined,
  ) {
    super(REFUSAL_MESSAGES[refusal]);
  }
}

/** A token's answer: the view to open, or why not (and, when its project is known, who may frame the refusal). */
export type EmbedOpening = { ok: true; embed: OpenLink; keyId: string; frameAncestors: string } | { ok: false; refusal: EmbedRefusal; frameAncestors: string | null };

/**
 * Opens an embed token inside `trx` (which this sets to the key's org scope). Nothing of the
 * token is trusted before its signature verifies with a live key of the project.
 */
export async function openEmbed(kernel: Pick<Kernel, "secret">, trx: Kysely<KernelDatabase>, token: string, now = Date.now()): Promise<EmbedOpening> {
  const invalid: EmbedOpening = { ok: false, refusal: "invalid", frameAncestors: null };
  if (token.length > 8192 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return invalid;
  let kid: unknown;
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== "HS256") return invalid;
    kid = header.kid;
  } catch {
    return invalid;
  }
  if (typeof kid !== "string" || !z.uuid().safeParse(kid).success) return invalid;
  const { rows } = await sql<{ org_id: string | null }>`select sharing_embed_org(${kid}::uuid) as org_id`.execute(trx);
  const orgId = rows[0]?.org_id;
  if (!orgId) return invalid;
  await sql`select set_config('app.user_id', '', true), set_config('app.org_id', ${orgId}, true)`.execute(trx);
  const key = await embedsDb(trx).selectFrom("sharing_embed_secrets").selectAll().where("id", "=", kid).executeTakeFirst();
  if (!key) return invalid;
  const frameAncestors = frameAncestorsFor(await embedOrigins(trx, { orgId, projectId: key.project_id }));
  const refuse = (refusal: EmbedRefusal): EmbedOpening => ({ ok: false, refusal, frameAncestors });
  if (statusOf(key.retires_at, now) === "retired") return refuse("invalid");

  let payload: unknown;
  try {
    const secret = Buffer.from(box(kernel).decrypt(key.secret_enc, keyContext(key)), "utf8");
    // jose compares the signature in constant time.
    ({ payload } = await jwtVerify(token, secret, { algorithms: ["HS256"], requiredClaims: ["exp", "iat"], currentDate: new Date(now), clockTolerance: 0 }));
  } catch (error) {
    return refuse(error instanceof joseErrors.JWTExpired ? "expired" : "invalid");
  }
  const claims = embedClaimsSchema.safeParse(payload);
  if (!claims.success) return refuse("overscoped");
  const { iat, exp } = claims.data;
  const nowSeconds = Math.floor(now / 1000);
  if (iat > nowSeconds + SKEW_SECONDS || exp - iat > MAX_EMBED_SECONDS) return refuse("overscoped");

  const dashboard = await publishedDashboard(trx, orgId, claims.data.dashboard);
  // A key signs for its own project's dashboards only.
  if (!dashboard || dashboard.projectId !== key.project_id) return refuse("invalid");
  const cutoff = await embedCutoff(trx, { orgId, dashboardId: dashboard.id });
  if (cutoff && iat * 1000 <= cutoff.getTime()) return refuse("revoked");

  const { params, allowed } = claims.data;
  if (allowed.some((name) => Object.hasOwn(params, name))) return refuse("overscoped");
  const policy = policyFromClaims(claims.data);
  if (Object.keys(policyProblems(policy, dashboard.doc.variables ?? [])).length) return refuse("overscoped");

  return {
    ok: true,
    frameAncestors,
    keyId: key.id,
    embed: {
      id: `embed:${key.id}`,
      orgId,
      passwordHash: null,
      policy,
      clamp: null,
      exports: [...new Set(claims.data.exports)],
      expiresAt: new Date(exp * 1000),
      dashboard,
    },
  };
}

/** How often a dashboard's embeds were viewed, and when last (like a public link's views). */
export interface EmbedViews {
  viewCount: number;
  lastViewedAt: string | null;
}

/** Counts an embed view and records it (time, the signing key, address hash, the variables it ran with). */
export async function recordEmbedView(
  trx: Kysely<KernelDatabase>,
  embed: { orgId: string; dashboardId: string; keyId: string },
  view: { ipHash: string | null; variables: Record<string, unknown> },
): Promise<void> {
  const db = embedsDb(trx);
  const now = new Date();
  await db
    .insertInto("sharing_embed_stats")
    .values({ dashboard_id: embed.dashboardId, org_id: embed.orgId, view_count: 1, last_viewed_at: now })
    .onConflict((oc) => oc.column("dashboard_id").doUpdateSet({ view_count: sql`sharing_embed_stats.view_count + 1`, last_viewed_at: now }))
    .execute();
  await db
    .insertInto("sharing_embed_views")
    .values({ org_id: embed.orgId, dashboard_id: embed.dashboardId, key_id: embed.keyId, ip_hash: view.ipHash, variables: JSON.stringify(view.variables) })
    .execute();
}

/** A dashboard's embed views (none yet: zero). `db` under the org's scope. */
export async function embedViews(db: Kysely<KernelDatabase>, where: { orgId: string; dashboardId: string }): Promise<EmbedViews> {
  const row = await embedsDb(db)
    .selectFrom("sharing_embed_stats")
    .select(["view_count", "last_viewed_at"])
    .where("org_id", "=", where.orgId)
    .where("dashboard_id", "=", where.dashboardId)
    .executeTakeFirst();
  return { viewCount: row?.view_count ?? 0, lastViewedAt: row?.last_viewed_at?.toISOString() ?? null };
}

/** Embed views of several dashboards of one org, by dashboard id (those never embedded: absent). `db` under the org's scope. */
export async function embedViewsOf(db: Kysely<KernelDatabase>, orgId: string, dashboardIds: readonly string[]): Promise<Map<string, EmbedViews>> {
  if (!dashboardIds.length) return new Map();
  const rows = await embedsDb(db)
    .selectFrom("sharing_embed_stats")
    .select(["dashboard_id", "view_count", "last_viewed_at"])
    .where("org_id", "=", orgId)
    .where("dashboard_id", "in", [...new Set(dashboardIds)])
    .execute();
  return new Map(rows.map((r) => [r.dashboard_id, { viewCount: r.view_count, lastViewedAt: r.last_viewed_at?.toISOString() ?? null }]));
}
