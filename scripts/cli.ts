/**
 * The `atrium` command line: `npm run atrium -- <command> [--flag value]`.
 *
 * Kernel commands live here; plugins add theirs through `cli` in their definition. Every
 * command works on the app's database: DATABASE_URL, or the embedded cluster under
 * ATRIUM_DATA_DIR — reused when the app is running, started (and stopped again) when not.
 */
import { pino } from "pino";
import { loadConfig } from "~/kernel/config";
import { createLogger } from "~/kernel/log";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { migrationStatus } from "~/kernel/migrator";
import type { AnyPlugin, CliCommand } from "~/kernel/plugin";
import { ZodError } from "zod";
import { writeAudit } from "~/kernel/audit";
import { generateApiToken, hashApiToken } from "~/kernel/auth/tokens";
import type { TokenScope } from "~/kernel/db/schema";
import { createOrg, createProject, nameSchema, ORG_RESTORE_DAYS, slugSchema } from "~/kernel/tenancy/service";

type Flags = Record<string, string | boolean>;

/** `--org acme --dry-run x` → `{ org: "acme", "dry-run": true }` and positionals `["x"]`. */
export function parseArgs(argv: readonly string[]): { command: string | undefined; flags: Flags; positionals: string[] } {
  const flags: Flags = {};
  const positionals: string[] = [];
  let command: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("--")) {
      const [name, inline] = arg.slice(2).split("=", 2) as [string, string | undefined];
      const next = argv[i + 1];
      if (inline !== undefined) flags[name] = inline;
      else if (next !== undefined && !next.startsWith("--")) {
        flags[name] = next;
        i++;
      } else flags[name] = true;
    } else if (arg === "-h") flags.help = true;
    else if (command === undefined) command = arg;
    else positionals.push(arg);
  }
  return { command, flags, positionals };
}

interface KernelCommand {
  summary: string;
  usage?: string;
  /** How the kernel is booted for this command. */
  boot: { migrate: boolean; workJobs: boolean; services: boolean };
  run(args: { kernel: Kernel; flags: Flags; print: (line: string) => void; plugins: readonly AnyPlugin[] }): Promise<void>;
}

class UsageError extends Error {}

function requireFlag(flags: Flags, name: string): string {
  const v = flags[name];
  if (typeof v !== "string" || !v.trim()) throw new UsageError(`--${name} is required`);
  return v.trim();
}

async function userIdByEmail(kernel: Kernel, email: string): Promise<string> {
  const user = await kernel.db.selectFrom("users").select("id").where("email", "=", email.toLowerCase()).executeTakeFirst();
  if (!user) throw new UsageError(`No user with email ${email}`);
  return user.id;
}

/** Operators act across orgs: look an org up by slug with the owner's connection. */
async function orgBySlug(kernel: Kernel, slug: string, options: { deleted?: boolean } = {}) {
  let q = kernel.ownerDb.selectFrom("orgs").select(["id", "slug", "name", "deleted_at"]).where("slug", "=", slug.toLowerCase());
  if (!options.deleted) q = q.where("deleted_at", "is", null);
  const org = await q.executeTakeFirst();
  if (!org) throw new UsageError(`No organization with slug ${slug}`);
  return org;
}

const SYSTEM_CLI = { kind: "system" as const, label: "cli" };

const kernelCommands: Record<string, KernelCommand> = {
  "orgs:create": {
    summary: "Create an organization owned by an existing user",
    usage: "--owner <email> --slug <slug> [--name <name>]",
    boot: { migrate: true, workJobs: false, services: false },
    async run({ kernel, flags, print }) {
      const ownerId = await userIdByEmail(kernel, requireFlag(flags, "owner"));
      const slug = slugSchema.parse(requireFlag(flags, "slug"));
      const name = nameSchema.parse(typeof flags.name === "string" ? flags.name : slug);
      const org = await kernel.withScope({ userId: ownerId }, async (trx) => {
        const created = await createOrg(trx, { slug, name, ownerId });
        await writeAudit(trx, SYSTEM_CLI, { action: "org.create", orgId: created.id, target: { type: "org", id: created.id }, data: { slug, name } });
        return created;
      });
      print(org.id);
    },
  },
  "orgs:restore": {
    summary: "Restore an organization deleted in the last 30 days",
    usage: "--slug <slug>",
    boot: { migrate: true, workJobs: false, services: false },
    async run({ kernel, flags, print }) {
      const org = await orgBySlug(kernel, requireFlag(flags, "slug"), { deleted: true });
      if (!org.deleted_at) throw new UsageError(`${org.slug} is not deleted`);
      const age = Date.now() - org.deleted_at.getTime();
      if (age > ORG_RESTORE_DAYS * 86_400_000) throw new UsageError(`${org.slug} was deleted more than ${ORG_RESTORE_DAYS} days ago and can no longer be restored`);
      await kernel.withScope({ orgId: org.id }, async (trx) => {
        await trx.updateTable("orgs").set({ deleted_at: null }).where("id", "=", org.id).execute();
        await writeAudit(trx, SYSTEM_CLI, { action: "org.restore", orgId: org.id, target: { type: "org", id: org.id } });
      });
      print(`Restored ${org.slug}`);
    },
  },
  "projects:create": {
    summary: "Create a project in an organization",
    usage: "--org <slug> --slug <slug> [--name <name>]",
    boot: { migrate: true, workJobs: false, services: false },
    async run({ kernel, flags, print }) {
      const org = await orgBySlug(kernel, requireFlag(flags, "org"));
      const slug = slugSchema.parse(requireFlag(flags, "slug"));
      const name = nameSchema.parse(typeof flags.name === "string" ? flags.name : slug);
      const project = await kernel.withScope({ orgId: org.id }, async (trx) => {
        const created = await createProject(trx, { orgId: org.id, slug, name });
        await writeAudit(trx, SYSTEM_CLI, { action: "project.create", orgId: org.id, target: { type: "project", id: created.id }, data: { slug, name } });
        return created;
      });
      print(project.id);
    },
  },
  "tokens:create": {
    summary: "Create a personal access token for a member (prints the token once)",
    usage: "--user <email> --org <slug> --scopes read,write [--name <name>] [--expires-days <n>]",
    boot: { migrate: true, workJobs: false, services: false },
    async run({ kernel, flags, print }) {
      const userId = await userIdByEmail(kernel, requireFlag(flags, "user"));
      const org = await orgBySlug(kernel, requireFlag(flags, "org"));
      const scopes = [...new Set(requireFlag(flags, "scopes").split(",").map((x) => x.trim()))];
      if (!scopes.length || scopes.some((x) => x !== "read" && x !== "write")) throw new UsageError("--scopes must be read, write or read,write");
      const days = typeof flags["expires-days"] === "string" ? Number(flags["expires-days"]) : 90;
      if (!Number.isInteger(days) || days < 1 || days > 366) throw new UsageError("--expires-days must be a whole number from 1 to 366");
      const token = generateApiToken();
      await kernel.withScope({ userId, orgId: org.id }, async (trx) => {
        if (!(await kernel.tenancy.roleOf(userId, org.id, trx))) throw new UsageError(`${requireFlag(flags, "user")} is not a member of ${org.slug}`);
        const row = await trx
          .insertInto("api_tokens")
          .values({
            user_id: userId,
            org_id: org.id,
            name: typeof flags.name === "string" ? flags.name : "CLI token",
            token_hash: hashApiToken(token),
            scopes: scopes as TokenScope[],
            expires_at: new Date(Date.now() + days * 86_400_000),
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        await writeAudit(trx, SYSTEM_CLI, { action: "token.create", orgId: org.id, target: { type: "token", id: row.id }, data: { userId, scopes } });
      });
      print(token);
    },
  },
  "db:migrate": {
    summary: "Run pending migrations of the kernel and every installed plugin",
    boot: { migrate: false, workJobs: false, services: false },
    async run({ kernel, print, plugins }) {
      const { migrateToLatest } = await import("~/kernel/migrator");
      const ran = await migrateToLatest(kernel.ownerDb, plugins);
      print(ran.length ? `Ran ${ran.length} migration(s):\n${ran.map((n) => `  ${n}`).join("\n")}` : "Database is up to date.");
    },
  },
  "db:status": {
    summary: "List every migration and whether it has run",
    boot: { migrate: false, workJobs: false, services: false },
    async run({ kernel, print, plugins }) {
      const rows = await migrationStatus(kernel.ownerDb, plugins);
      for (const row of rows) print(`${row.executedAt ? "applied" : "pending"}  ${row.name}${row.executedAt ? `  ${row.executedAt.toISOString()}` : ""}`);
      const pending = rows.filter((r) => !r.executedAt).length;
      print(pending ? `${pending} pending` : "Database is up to date.");
    },
  },
  worker: {
    summary: "Run a worker-only process: works jobs, serves no HTTP (Ctrl-C to stop)",
    boot: { migrate: true, workJobs: true, services: true },
    async run({ kernel, print }) {
      print(`Worker running (${kernel.jobs.names().length} job queue(s)). Press Ctrl-C to stop.`);
      await new Promise<void>((resolve) => {
        for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve());
      });
      print("Worker stopping…");
    },
  },
};

function helpText(plugins: readonly AnyPlugin[]): string {
  const lines = ["Usage: npm run atrium -- <command> [options]", "", "Kernel commands:"];
  const row = (name: string, c: { summary: string; usage?: string }) => {
    const left = `${name}${c.usage ? ` ${c.usage}` : ""}`;
    return left.length <= 44 ? `  ${left.padEnd(44)} ${c.summary}` : `  ${left}\n  ${"".padEnd(44)} ${c.summary}`;
  };
  for (const [name, c] of Object.entries(kernelCommands)) lines.push(row(name, c));
  for (const plugin of plugins) {
    const cmds = Object.entries(plugin.cli ?? {});
    if (!cmds.length) continue;
    lines.push("", `Plugin ${plugin.id}:`);
    for (const [name, c] of cmds) lines.push(row(name, c));
  }
  lines.push(
    "",
    "The database is DATABASE_URL, or the embedded one under ATRIUM_DATA_DIR (default ./.data),",
    "shared with a running app. Run `npm run atrium -- <command> --help` for one command.",
  );
  return lines.join("\n");
}

/** Runs one CLI invocation. Returns the process exit code. */
export async function runCli(
  argv: readonly string[],
  options: { plugins: readonly AnyPlugin[]; print?: (line: string) => void; printError?: (line: string) => void; env?: NodeJS.ProcessEnv },
): Promise<number> {
  const print = options.print ?? ((line: string) => console.log(line));
  const printError = options.printError ?? ((line: string) => console.error(line));
  const { command, flags } = parseArgs(argv);
  if (!command || command === "help") {
    print(helpText(options.plugins));
    return command || flags.help ? 0 : 1;
  }

  const kernelCommand = kernelCommands[command];
  let pluginCommand: CliCommand | undefined;
  for (const plugin of options.plugins) pluginCommand ??= plugin.cli?.[command];
  const found = kernelCommand ?? pluginCommand;
  if (!found) {
    printError(`Unknown command "${command}".\n\n${helpText(options.plugins)}`);
    return 2;
  }
  if (flags.help) {
    print(`npm run atrium -- ${command}${found.usage ? ` ${found.usage}` : ""}\n\n${found.summary}`);
    return 0;
  }

  let kernel: Kernel | undefined;
  // Ctrl-C during a command: stop cleanly (and stop embedded PostgreSQL if we started it).
  // The worker handles its own signals to finish running jobs first.
  const interrupt = () => {
    void (kernel?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  const handleSignals = command !== "worker" && !options.env;
  if (handleSignals) for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, interrupt);
  try {
    const config = loadConfig(options.env ?? process.env);
    const boot = kernelCommand?.boot ?? { migrate: true, workJobs: false, services: true };
    // Logs go to stderr so a command's output stays clean to pipe; info is noise here.
    const log = createLogger(config.logLevel === "info" ? "warn" : config.logLevel, pino.destination(2));
    kernel = await bootKernel({ config, plugins: options.plugins, log, ...boot });
    if (kernelCommand) await kernelCommand.run({ kernel, flags, print, plugins: options.plugins });
    else await pluginCommand!.run({ kernel, flags, print });
    return 0;
  } catch (err) {
    if (err instanceof ZodError) printError(`Invalid value: ${err.issues.map((i) => i.message).join("; ")}`);
    else printError(err instanceof Error ? err.message : String(err));
    return err instanceof UsageError || err instanceof ZodError ? 2 : 1;
  } finally {
    await kernel?.stop();
    if (handleSignals) for (const signal of ["SIGINT", "SIGTERM"] as const) process.off(signal, interrupt);
  }
}
