/**
 * What the collaboration REST operations answer (activity, comment threads, notifications
 * under /api/v1/orgs/{orgId}/…), as zod schemas: the OpenAPI document is generated from them.
 * Objects are loose, so a field added later still travels; the casts keep the procedures'
 * TypeScript answers as the services declare them.
 */
import { z } from "zod";
import type { ActivityEntry } from "./activity";
import type { NotificationView } from "./notifications";
import type { ThreadView } from "./service";

const person = z.looseObject({ id: z.uuid(), name: z.string() });
const isoTime = (what: string) => z.string().describe(`ISO 8601 time ${what}`);

const activityFields = {
  id: z.string(),
  kind: z.enum(["save", "comment", "review", "share"]),
  verb: z.string().describe("What was done, as a verb phrase before the dashboard's title"),
  at: isoTime("it happened"),
  actor: person.nullable(),
  viaAgent: z.string().nullable().describe("The agent that acted on the person's behalf"),
  project: z.looseObject({ id: z.uuid(), slug: z.string(), name: z.string() }),
  dashboard: z.looseObject({ id: z.uuid(), slug: z.string(), title: z.string() }).nullable().describe("null for a share of the whole project"),
  version: z.number().int().nullable(),
  threadId: z.string().nullable(),
  excerpt: z.string().nullable(),
  role: z.string().nullable(),
};

export const activityOutput = z
  .looseObject({ items: z.array(z.looseObject(activityFields).meta({ id: "ActivityEntry" })), nextCursor: z.string().nullable().describe("Pass it as cursor for older entries; null at the end") })
  .meta({ id: "ActivityPage" }) as unknown as z.ZodType<{ items: ActivityEntry[]; nextCursor: string | null }>;

const commentFields = {
  id: z.uuid(),
  author: person.nullable(),
  viaAgent: z.string().nullable().describe("Set when an agent wrote it on the author's behalf"),
  mine: z.boolean(),
  body: z.string().nullable().describe("The Markdown as written (null once deleted)"),
  html: z.string().describe("The body rendered and sanitized"),
  dashboardVersion: z.number().int(),
  outdated: z.boolean().describe("The chart changed (or went away) since this was written"),
  createdAt: isoTime("it was written"),
  editedAt: isoTime("it was last edited").nullable(),
  deleted: z.boolean(),
};

const threadFields = {
  id: z.uuid(),
  chartId: z.string().nullable().describe("null: a thread on the dashboard itself"),
  variables: z.record(z.string(), z.unknown()).nullable(),
  status: z.enum(["open", "resolved"]),
  resolvedAt: isoTime("it was resolved").nullable(),
  resolvedBy: person.nullable(),
  createdAt: isoTime("it was started"),
  lastCommentAt: isoTime("of its latest comment"),
  unread: z.boolean(),
  outdated: z.boolean(),
  comments: z.array(z.looseObject(commentFields).meta({ id: "Comment" })),
};

export const threadListOutput = z
  .looseObject({ version: z.number().int().describe("The dashboard's current version"), threads: z.array(z.looseObject(threadFields).meta({ id: "CommentThread" })) })
  .meta({ id: "CommentThreadList" }) as unknown as z.ZodType<{ version: number; threads: ThreadView[] }>;

export const commentAddedOutput = z.object({ threadId: z.uuid(), commentId: z.uuid(), created: z.boolean().describe("A new thread was started") });

export const threadResolvedOutput = z.object({ status: z.enum(["open", "resolved"]) });

const notificationFields = {
  id: z.uuid(),
  kind: z.enum(["mention", "reply"]),
  createdAt: isoTime("it was made"),
  read: z.boolean(),
  actor: person.nullable(),
  projectId: z.uuid(),
  projectSlug: z.string(),
  dashboardSlug: z.string(),
  dashboardTitle: z.string(),
  threadId: z.uuid(),
  excerpt: z.string().describe("The comment's first words, as plain text"),
};

export const notificationListOutput = z
  .looseObject({
    items: z.array(z.looseObject(notificationFields).meta({ id: "Notification" })),
    unread: z.number().int().describe("Unread notifications, counted up to 100"),
    nextCursor: z.string().nullable().describe("Pass back as cursor for older notifications; null on the last page"),
  })
  .meta({ id: "NotificationList" }) as unknown as z.ZodType<{ items: NotificationView[]; unread: number; nextCursor: string | null }>;
