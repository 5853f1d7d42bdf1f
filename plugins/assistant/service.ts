/**
 * Threads, their messages, and usage: plain functions over a database handle already scoped to
 * the org (row-level security). A thread belongs to one person; every lookup names the person,
 * so another member's thread is as unknown as a made-up id.
 */
import { TRPCError } from "@trpc/server";
import { sql, type ColumnType, type Generated, type Kysely } from "kysely";
import type { KernelDatabase } from "~/kernel/db/schema";

// A type alias, not an interface: `withTables` needs an index-signature-compatible record.
export type AssistantTables = {
  assistant_threads: {
    id: Generated<string>;
    org_id: string;
    project_id: string | null;
    user_id: string;
    title: string;
    created_at: Generated<Date>;
    updated_at: Generated<Date>;
  };
  assistant_messages: {
    org_id: string;
    thread_id: string;
    id: string;
    position: number;
    role: "user" | "assistant" | "system";
    /** jsonb: written as JSON text, read back parsed. */
    parts: ColumnType<unknown, string, string>;
    metadata: ColumnType<unknown, string | null, string | null>;
    created_at: Generated<Date>;
  };
  assistant_usage: {
    org_id: string;
    user_id: string;
    day: string;
    requests: Generated<number>;
    input_tokens: Generated<string>;
    output_tokens: Generated<string>;
  };
};

type Db = Kysely<KernelDatabase & AssistantTables>;

/** The kernel's tables and the plugin's, on any kernel handle (a request's transaction, `kernel.withScope`). */
export function assistantDb(db: Kysely<KernelDatabase>): Db {
  return db.withTables<AssistantTables>();
}

export interface ThreadSummary {
  id: string;
  projectId: string | null;
  title: string;
  createdAt: string;
  updatedAt: string;
}

/** A stored message, in the AI SDK's UI message shape. */
export interface StoredMessage {
  id: string;
  role: "user" | "assistant" | "system";
  parts: unknown[];
  metadata?: unknown;
}

export const TITLE_MAX = 120;

function summary(row: { id: string; project_id: string | null; title: string; created_at: Date; updated_at: Date }): ThreadSummary {
  return { id: row.id, projectId: row.project_id, title: row.title, createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString() };
}

/** A title from the first question: one line, cut at a word. */
export function titleFrom(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (!line) return "New conversation";
  if (line.length <= 80) return line;
  const cut = line.slice(0, 80);
  const space = cut.lastIndexOf(" ");
  return `${space > 40 ? cut.slice(0, space) : cut}…`;
}

/** The person's threads in an org: all of them, or one project's (`null`: the org home's). */
export async function listThreads(db: Db, orgId: string, userId: string, projectId?: string | null): Promise<ThreadSummary[]> {
  let query = db
    .selectFrom("assistant_threads")
    .select(["id", "project_id", "title", "created_at", "updated_at"])
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId);
  if (projectId !== undefined) query = projectId === null ? query.where("project_id", "is", null) : query.where("project_id", "=", projectId);
  const rows = await query.orderBy("updated_at", "desc").limit(200).execute();
  return rows.map(summary);
}

/** One of the person's threads, or NOT_FOUND. */
export async function getThread(db: Db, orgId: string, userId: string, threadId: string): Promise<ThreadSummary> {
  const row = await db
    .selectFrom("assistant_threads")
    .select(["id", "project_id", "title", "created_at", "updated_at"])
    .where("id", "=", threadId)
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Conversation not found." });
  return summary(row);
}

export async function createThread(db: Db, input: { orgId: string; userId: string; projectId: string | null; title: string }): Promise<ThreadSummary> {
  const row = await db
    .insertInto("assistant_threads")
    .values({ org_id: input.orgId, user_id: input.userId, project_id: input.projectId, title: input.title.slice(0, TITLE_MAX) })
    .returning(["id", "project_id", "title", "created_at", "updated_at"])
    .executeTakeFirstOrThrow();
  return summary(row);
}

export async function renameThread(db: Db, orgId: string, userId: string, threadId: string, title: string): Promise<ThreadSummary> {
  const row = await db
    .updateTable("assistant_threads")
    .set({ title, updated_at: sql<Date>`now()` })
    .where("id", "=", threadId)
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .returning(["id", "project_id", "title", "created_at", "updated_at"])
    .executeTakeFirst();
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "Conversation not found." });
  return summary(row);
}

export async function deleteThread(db: Db, orgId: string, userId: string, threadId: string): Promise<void> {
  const result = await db
    .deleteFrom("assistant_threads")
    .where("id", "=", threadId)
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .executeTakeFirst();
  if (!result.numDeletedRows) throw new TRPCError({ code: "NOT_FOUND", message: "Conversation not found." });
}

export async function threadMessages(db: Db, threadId: string): Promise<StoredMessage[]> {
  const rows = await db
    .selectFrom("assistant_messages")
    .select(["id", "role", "parts", "metadata"])
    .where("thread_id", "=", threadId)
    .orderBy("position")
    .execute();
  return rows.map((r) => ({ id: r.id, role: r.role, parts: r.parts as unknown[], ...(r.metadata ? { metadata: r.metadata } : {}) }));
}

/**
 * Replaces a thread's messages with `messages` (the conversation as it now stands: an edited
 * question drops what followed it) and touches the thread.
 */
export async function saveMessages(db: Db, orgId: string, threadId: string, messages: StoredMessage[]): Promise<void> {
  await db.deleteFrom("assistant_messages").where("thread_id", "=", threadId).execute();
  if (messages.length) {
    await db
      .insertInto("assistant_messages")
      .values(
        messages.map((m, position) => ({
          org_id: orgId,
          thread_id: threadId,
          id: m.id,
          position,
          role: m.role,
          parts: JSON.stringify(m.parts),
          metadata: m.metadata === undefined ? null : JSON.stringify(m.metadata),
        })),
      )
      .execute();
  }
  await db.updateTable("assistant_threads").set({ updated_at: sql<Date>`now()` }).where("id", "=", threadId).execute();
}

/** Today's usage (UTC) of one person in one org. */
export async function usageToday(db: Db, orgId: string, userId: string): Promise<{ requests: number; tokens: number }> {
  const row = await db
    .selectFrom("assistant_usage")
    .select(["requests", "input_tokens", "output_tokens"])
    .where("org_id", "=", orgId)
    .where("user_id", "=", userId)
    .where("day", "=", sql<string>`(now() at time zone 'utc')::date`)
    .executeTakeFirst();
  if (!row) return { requests: 0, tokens: 0 };
  return { requests: row.requests, tokens: Number(row.input_tokens) + Number(row.output_tokens) };
}

/** Adds one answer's usage to today's row. */
export async function recordUsage(db: Db, orgId: string, userId: string, usage: { inputTokens: number; outputTokens: number }): Promise<void> {
  const input = Math.max(0, Math.round(usage.inputTokens || 0));
  const output = Math.max(0, Math.round(usage.outputTokens || 0));
  await db
    .insertInto("assistant_usage")
    .values({ org_id: orgId, user_id: userId, day: sql<string>`(now() at time zone 'utc')::date`, requests: 1, input_tokens: String(input), output_tokens: String(output) })
    .onConflict((oc) =>
      oc.columns(["org_id", "user_id", "day"]).doUpdateSet({
        requests: sql<number>`assistant_usage.requests + 1`,
        input_tokens: sql<string>`assistant_usage.input_tokens + ${input}`,
        output_tokens: sql<string>`assistant_usage.output_tokens + ${output}`,
      }),
    )
    .execute();
}
