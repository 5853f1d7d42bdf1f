/**
 * Isolation rows for `assistant.*`. A thread belongs to one person: the rows that act on one
 * create it for the acting person first (a stranger's made-up id when nobody is acting), so
 * every member finds their own, and everyone else is refused before any lookup.
 */
import { randomUUID } from "node:crypto";
import type { World } from "../world";
import { A, P, type Row } from "./helpers";

async function ownThread(w: World): Promise<string> {
  if (!w.actorUser) return randomUUID();
  const row = await w.kernel.ownerDb
    .withTables<{ assistant_threads: { id?: string; org_id: string; user_id: string; project_id: string | null; title: string } }>()
    .insertInto("assistant_threads")
    .values({ org_id: w.orgA.id, user_id: w.actorUser.id, project_id: w.projectA.id, title: "Matrix thread" })
    .returning("id")
    .executeTakeFirstOrThrow();
  return row.id!;
}

export const assistantRows: Record<string, Row> = {
  "assistant.status": { input: A },
  "assistant.chatContext": { input: async (w) => ({ ...P(w), threadId: await ownThread(w) }) },
  "assistant.threads.list": { input: P },
  "assistant.threads.get": { input: async (w) => ({ ...A(w), threadId: await ownThread(w) }) },
  "assistant.threads.rename": { input: async (w) => ({ ...A(w), threadId: await ownThread(w), title: "Renamed by the matrix" }) },
  "assistant.threads.delete": { input: async (w) => ({ ...A(w), threadId: await ownThread(w) }) },
};
