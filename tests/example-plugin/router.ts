import { z } from "zod";
import { capabilityProcedure, createTRPCRouter, publicProcedure } from "~/kernel/trpc";
import { noteRead, noteWrite } from "./capabilities";
import { noteDigestJob } from "./jobs";
import { addNote, exampleDb, listNotes } from "./service";
import { safeString } from "~/kernel/schemas";

declare module "~/kernel/events" {
  interface AtriumEvents {
    "example.note.added": { noteId: string; body: string };
  }
}

export const exampleRouter = createTRPCRouter({
  /** A public procedure: says hello, proves the input and output types reach the client. */
  hello: publicProcedure
    .input(z.object({ name: safeString().min(1).max(40) }))
    .query(({ input }) => ({ greeting: `Hello, ${input.name}!`, length: input.name.length })),

  notes: createTRPCRouter({
    list: capabilityProcedure(noteRead)
      .meta({ mcp: { name: "list_notes", description: "List the notes of an organization, newest first.", readOnly: true } })
      .query(async ({ ctx }) => listNotes(exampleDb(ctx.db), ctx.org.id)),

    add: capabilityProcedure(noteWrite)
      .input(z.object({ body: safeString().trim().min(1, "Write something").max(500) }))
      .mutation(async ({ ctx, input }) => {
        // ctx.db is this call's transaction: the note, its event, its digest job and the audit
        // event commit together or not at all.
        const note = await addNote(exampleDb(ctx.db), ctx.org.id, ctx.actor.userId, input.body);
        await ctx.kernel.events.emit("example.note.added", { noteId: note.id, body: note.body }, { orgId: ctx.org.id, db: ctx.db });
        await ctx.kernel.jobs.enqueue(noteDigestJob, { orgId: ctx.org.id }, { db: ctx.db });
        await ctx.audit({ action: "example.note.add", target: { type: "note", id: note.id }, data: { length: note.body.length } });
        return note;
      }),

    /** Live: notes added in this org, from any instance, over SSE. */
    onAdded: capabilityProcedure(noteRead).subscription(async function* ({ ctx, signal }) {
      for await (const event of ctx.kernel.events.stream("example.note.added", { orgId: ctx.org.id, signal })) {
        yield event.payload;
      }
    }),
  }),
});
