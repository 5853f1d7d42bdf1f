/**
 * Operator commands: import a dashboard YAML file into a project (a new dashboard, or a new
 * version of the one at its slug) and export dashboards as YAML files. They act as the system
 * inside the org's scope, so row-level security still binds them, and they are audited.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { TRPCError } from "@trpc/server";
import { writeAudit } from "~/kernel/audit";
import type { Kernel } from "~/kernel/kernel";
import type { CliCommand } from "~/kernel/plugin";
import { FieldErrors } from "~/kernel/errors";
import { BOARD_FORMATS, looksLikeDbtCharts, parseBoard, type BoardFormat } from "./document";
import { writeDbtCharts } from "./document/dbt-charts";
import { createDashboard, findDashboard, listDashboards, updateDashboard, type DashboardRow, type DashboardScope } from "./service";

/** A mistake in the command line; its message says what to change. */
export class UsageError extends Error {
  override name = "UsageError";
}

const SYSTEM = { kind: "system" as const, label: "cli" };

function flag(flags: Record<string, string | boolean>, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || !v.trim()) throw new UsageError(`--${name} is required`);
  return v.trim();
}

/** The org and project named by --org and --project (slugs), read with the owner's connection. */
async function target(kernel: Kernel, flags: Record<string, string | boolean>): Promise<{ orgId: string; projectId: string; label: string }> {
  const orgSlug = flag(flags, "org").toLowerCase();
  const projectSlug = flag(flags, "project").toLowerCase();
  const org = await kernel.ownerDb.selectFrom("orgs").select(["id", "slug"]).where("slug", "=", orgSlug).where("deleted_at", "is", null).executeTakeFirst();
  if (!org) throw new UsageError(`No organization with slug ${orgSlug}`);
  const project = await kernel.ownerDb
    .selectFrom("projects")
    .select(["id", "slug"])
    .where("org_id", "=", org.id)
    .where("slug", "=", projectSlug)
    .where("deleted_at", "is", null)
    .executeTakeFirst();
  if (!project) throw new UsageError(`No project ${projectSlug} in ${org.slug}`);
  return { orgId: org.id, projectId: project.id, label: `${org.slug}/${project.slug}` };
}

/** A 422/409 from the service as a usage error listing what to fix. */
function asUsage(err: unknown): never {
  if (err instanceof TRPCError && (err.code === "UNPROCESSABLE_CONTENT" || err.code === "CONFLICT")) {
    const fields = err.cause instanceof FieldErrors ? err.cause.fields.yaml : undefined;
    throw new UsageError(fields?.length ? `${err.message.split(":")[0]}:\n  ${fields.join("\n  ")}` : err.message);
  }
  throw err;
}

function formatFlag(flags: Record<string, string | boolean>): BoardFormat | undefined {
  const v = flags.format;
  if (v === undefined) return undefined;
  if (typeof v !== "string" || !(BOARD_FORMATS as readonly string[]).includes(v)) throw new UsageError(`--format is one of: ${BOARD_FORMATS.join(", ")}`);
  return v as BoardFormat;
}

export const dashboardsCli: Record<string, CliCommand> = {
  "dashboards:import": {
    summary: "Import a dashboard YAML file (Atrium's format or a dbt Charts board) into a project (a new version if its slug exists)",
    usage: "--org <slug> --project <slug> --file <dashboard.yaml> [--format atrium|dbt-charts] [--slug <slug>] [--message <text>]",
    async run({ kernel, flags, print }) {
      const where = await target(kernel, flags);
      const file = flag(flags, "file");
      let yaml: string;
      try {
        yaml = readFileSync(file, "utf8");
      } catch (err) {
        throw new UsageError(`Cannot read ${file}: ${(err as Error).message}`);
      }
      const slug = typeof flags.slug === "string" ? flags.slug.trim().toLowerCase() : undefined;
      const message = typeof flags.message === "string" ? flags.message : `Imported from ${path.basename(file)}`;
      const format = formatFlag(flags) ?? (looksLikeDbtCharts(yaml) ? "dbt-charts" : "atrium");
      const result = await kernel
        .withScope({ orgId: where.orgId }, async (trx) => {
          const s: DashboardScope = { kernel, db: trx, orgId: where.orgId, projectId: where.projectId, userId: null };
          const existing = slug ? await findDashboard(s, slug).catch(() => null) : null;
          const saved = existing
            ? { ...(await updateDashboard(s, { slug: existing.slug, yaml, version: existing.version, message })), created: false }
            : { ...(await createDashboard(s, { yaml, slug, message, format })), created: true };
          await writeAudit(trx, SYSTEM, {
            action: saved.created ? "dashboards.create" : "dashboards.update",
            orgId: where.orgId,
            target: { type: "dashboard", id: saved.id },
            data: { projectId: where.projectId, slug: saved.slug, version: saved.version, file: path.basename(file) },
          });
          return saved;
        })
        .catch(asUsage);
      print(`${result.created ? "created" : "updated"} ${where.label}/${result.slug} (version ${result.version}${format === "dbt-charts" ? ", dbt Charts board" : ""})`);
      for (const n of format === "dbt-charts" ? parseBoard(yaml, format).notices : []) print(`  note: line ${n.line ?? "?"}: ${n.path}: ${n.message}`);
    },
  },
  "dashboards:export": {
    summary: "Export a project's dashboards as YAML (one to stdout with --slug, or every one into --out <dir>); --format dbt-charts writes Atrium dashboards as dbt Charts boards",
    usage: "--org <slug> --project <slug> (--slug <slug> | --out <dir>) [--format dbt-charts]",
    async run({ kernel, flags, print }) {
      const where = await target(kernel, flags);
      const slug = typeof flags.slug === "string" ? flags.slug.trim().toLowerCase() : null;
      const out = typeof flags.out === "string" ? flags.out : null;
      if (!slug && !out) throw new UsageError("Give --slug <slug> (print one) or --out <dir> (write every one)");
      const format = formatFlag(flags);
      /** The file name and text of one dashboard in the wanted format (a board stays as stored when already in it). */
      const exported = (row: DashboardRow): { name: string; text: string } => {
        if (format !== "dbt-charts" || row.format === "dbt-charts") return { name: `${row.slug}.${row.format === "dbt-charts" ? "yml" : "yaml"}`, text: row.yaml };
        const parsed = parseBoard(row.yaml, row.format);
        if (!parsed.ok) throw new UsageError(`${row.slug} no longer reads as a dashboard: ${parsed.errors[0]?.message ?? ""}`);
        const written = writeDbtCharts(parsed.doc);
        for (const p of written.problems) print(`  ${row.slug}: not written: ${p.path}: ${p.message} (${p.hint})`);
        return { name: `${row.slug}.yml`, text: written.text };
      };
      await kernel.withScope({ orgId: where.orgId }, async (trx) => {
        const s: DashboardScope = { kernel, db: trx, orgId: where.orgId, projectId: where.projectId, userId: null };
        if (slug) {
          const row = await findDashboard(s, slug).catch(() => {
            throw new UsageError(`No dashboard ${slug} in ${where.label}`);
          });
          const file = exported(row);
          if (out) {
            mkdirSync(out, { recursive: true });
            writeFileSync(path.join(out, file.name), file.text);
            print(`wrote ${path.join(out, file.name)} (version ${row.version})`);
          } else print(file.text.replace(/\n$/, ""));
          return;
        }
        mkdirSync(out!, { recursive: true });
        const items = [];
        for (let cursor: string | undefined, page; !page || page.nextCursor; cursor = page.nextCursor ?? undefined) {
          page = await listDashboards(s, { limit: 200, cursor });
          items.push(...page.items);
        }
        for (const item of items) {
          const row = await findDashboard(s, item.slug);
          const file = exported(row);
          writeFileSync(path.join(out!, file.name), file.text);
          print(`${file.name}\tversion ${row.version}`);
        }
        print(`exported ${items.length} dashboard${items.length === 1 ? "" : "s"} from ${where.label}`);
      });
    },
  },
};
