/**
 * The example plugin: a small notebook per org. Not installed in the shipped app; the
 * kernel's tests install it, and CONTRIBUTING.md walks through it file by file.
 */
import { definePlugin } from "~/kernel/plugin";
import { noteRead, noteWrite } from "./capabilities";
import { exampleHttpRoutes } from "./http";
import { noteDigestJob } from "./jobs";
import * as notesMigration from "./migrations/2026-11-23-001-notes";
import { exampleRouter } from "./router";

export const examplePlugin = definePlugin({
  id: "example",
  capabilities: [noteWrite, noteRead],
  migrations: { "2026-11-23-001-notes": notesMigration },
  router: exampleRouter,
  jobs: [noteDigestJob],
  http: exampleHttpRoutes,
  on: {
    "example.note.added": (event, kernel) => {
      kernel.log.debug({ noteId: event.payload.noteId }, "note added");
    },
  },
  cli: {
    "example:count": {
      summary: "Print how many notes each org has",
      async run({ kernel, print }) {
        // An operator command: it reads across orgs, so it uses the owner's connection.
        const rows = await kernel.ownerDb
          .withTables<{ example_notes: { org_id: string } }>()
          .selectFrom("example_notes")
          .select(["org_id", (eb) => eb.fn.countAll<number>().as("count")])
          .groupBy("org_id")
          .execute();
        for (const row of rows) print(`${row.org_id}\t${row.count}`);
        if (!rows.length) print("no notes");
      },
    },
  },
});
