/**
 * `sync.*`: the datasets machines sync into the org's warehouse and the machines themselves.
 * Rows arrive over HTTP (`POST /api/v1/datasets/<name>/rows`, ./http.ts); these procedures list
 * and register, with the same authorization for people, tokens and agents.
 */
import { z } from "zod";
import { capabilityProcedure, createTRPCRouter } from "~/kernel/trpc";
import { safeString } from "~/kernel/schemas";
import { syncView, syncWrite } from "./capabilities";
import { datasetListOutput, sourceListOutput } from "./rest";
import { listDatasets, listSources, registerSource } from "./service";

const identity = safeString()
  .trim()
  .min(1, "Required")
  .max(200, "At most 200 characters")
  .regex(/^[\x21-\x7e]+$/, "Printable ASCII without spaces");

export const syncRouter = createTRPCRouter({
  datasets: createTRPCRouter({
    list: capabilityProcedure(syncView)
      .meta({
        mcp: {
          name: "list_synced_datasets",
          description:
            "List the datasets machines sync into the organization's warehouse: name (a table the SQL tools can query), row count, key columns, last sync time and the machine that sent the last batch.",
          readOnly: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/sync/datasets", summary: "List the datasets machines sync into the organization's warehouse", tags: ["sync"] } })
      .output(datasetListOutput)
      .query(({ ctx }) => listDatasets(ctx.db, ctx.org.id)),
  }),

  sources: createTRPCRouter({
    list: capabilityProcedure(syncView)
      .meta({
        mcp: {
          name: "list_sync_sources",
          description: "List the machines (local projects) that sync data into the organization, with each one's last sync, lag in seconds and rows sent.",
          readOnly: true,
        },
      })
      .meta({ openapi: { method: "GET", path: "/orgs/{orgId}/sync/sources", summary: "List the machines that sync data into the organization, with each one's lag", tags: ["sync"] } })
      .output(sourceListOutput)
      .query(({ ctx }) => listSources(ctx.db, ctx.org.id)),

    register: capabilityProcedure(syncWrite)
      .input(
        z.object({
          projectKey: identity,
          machineId: identity,
          name: safeString().trim().min(1, "Name the machine").max(120, "At most 120 characters"),
        }),
      )
      .mutation(async ({ ctx, input }) => {
        const source = await registerSource(ctx.db, ctx.org.id, ctx.actor.userId, input);
        if (source.created) await ctx.audit({ action: "sync.source.register", target: { type: "sync_source", id: source.id }, data: { name: input.name } });
        else await ctx.audit({ action: "sync.source.refresh", target: { type: "sync_source", id: source.id }, data: {} });
        return source;
      }),
  }),
});
