/**
 * What the sharing REST operations answer (public links, embed tokens, view invitations and
 * shares under /api/v1/orgs/{orgId}/projects/{projectId}/…), as zod schemas: the OpenAPI
 * document is generated from them. Objects are loose, so a field added later still travels; the
 * casts keep the procedures' TypeScript answers as the services declare them.
 */
import { z } from "zod";
import type { AccessEntry, SharedWithMe } from "./grants";
import type { InviteSummary } from "./invites";
import type { LinkSummary } from "./links";

const isoTime = (what: string) => z.string().describe(`ISO 8601 time ${what}`);

const linkFields = {
  id: z.uuid().describe("The link's id (linkId)"),
  dashboardId: z.uuid(),
  dashboardSlug: z.string().nullable(),
  dashboardTitle: z.string().nullable(),
  label: z.string(),
  status: z.enum(["active", "paused", "revoked", "expired"]),
  hasPassword: z.boolean(),
  policy: z.record(z.string(), z.unknown()).describe("Per variable: locked, allowed values, or free"),
  timeClamp: z.looseObject({ from: z.string().optional(), to: z.string().optional() }).nullable(),
  exports: z.array(z.enum(["csv", "png", "svg"])),
  expiresAt: isoTime("the link stops opening"),
  viewCount: z.number().int(),
  lastViewedAt: isoTime("of the last view").nullable(),
  createdAt: isoTime("the link was made"),
};

export const linkListOutput = z
  .looseObject({ links: z.array(z.looseObject(linkFields).meta({ id: "PublicLink" })).describe("Newest first; never the URL (shown once, at creation)") })
  .meta({ id: "PublicLinkList" }) as unknown as z.ZodType<{ links: LinkSummary[] }>;

export const linkCreatedOutput = z
  .looseObject({ linkId: z.uuid(), url: z.string().describe("The link; shown this once, it cannot be read again"), expiresAt: isoTime("the link stops opening") })
  .meta({ id: "PublicLinkCreated" });

export const linkRevokedOutput = z.object({ linkId: z.uuid() });

export const embedTokenOutput = z
  .looseObject({ token: z.string(), url: z.string().describe("The /e/<token> page to frame on an allowed origin"), expiresAt: isoTime("the token stops opening") })
  .meta({ id: "EmbedToken" });

const inviteFields = {
  id: z.uuid().describe("The invitation's id (inviteId)"),
  email: z.string(),
  status: z.enum(["sent", "link-expired", "viewing", "access-expired", "revoked"]),
  sentAt: isoTime("the mail was sent"),
  accessExpiresAt: isoTime("the browser viewing with it loses access").nullable(),
  askedAt: isoTime("they asked for more access").nullable(),
};

export const inviteListOutput = z
  .looseObject({ invites: z.array(z.looseObject(inviteFields).meta({ id: "ViewInvitation" })) })
  .meta({ id: "ViewInvitationList" }) as unknown as z.ZodType<{ invites: InviteSummary[] }>;

export const inviteCreatedOutput = z.object({ inviteId: z.uuid(), resent: z.boolean().describe("An earlier invitation to the address was replaced") });

export const inviteRevokedOutput = z.object({ inviteId: z.uuid() });

const accessFields = {
  kind: z.enum(["member", "grant"]),
  grantId: z.uuid().nullable().describe("The share's id (to revoke it); null for members"),
  name: z.string().nullable(),
  email: z.string(),
  role: z.enum(["owner", "admin", "editor", "viewer"]),
  why: z.string(),
  pending: z.boolean().describe("A share waiting for its address to become a verified account"),
};

export const accessOutput = z
  .looseObject({
    entries: z.array(z.looseObject(accessFields).meta({ id: "AccessEntry" })),
    nextCursor: z.string().nullable().describe("Pass back as cursor for the next page; null on the last"),
  })
  .meta({ id: "AccessList" }) as unknown as z.ZodType<{ entries: AccessEntry[]; nextCursor: string | null }>;

export const sharedWithMeOutput = z
  .object({
    items: z.array(
      z
        .looseObject({
          grantId: z.uuid(),
          orgId: z.uuid(),
          orgName: z.string(),
          projectId: z.uuid(),
          projectName: z.string(),
          dashboard: z.looseObject({ slug: z.string(), title: z.string() }).nullable().describe("null: the whole project was shared"),
          role: z.enum(["view", "edit"]),
        })
        .meta({ id: "SharedWithMe" }),
    ),
  })
  .meta({ id: "SharedWithMeList" }) as unknown as z.ZodType<{ items: SharedWithMe[] }>;

export const sharedOutput = z.object({ grantId: z.uuid(), created: z.boolean(), hasAccount: z.boolean() });

export const shareRevokedOutput = z.object({ grantId: z.uuid() });
