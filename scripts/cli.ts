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

const kernelCommands: Record<string, KernelCommand> = {
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
  const row = (name: string, c: { summary: string; usage?: string }) =>
    `  ${`${name}${c.usage ? ` ${c.usage}` : ""}`.padEnd(44)} ${c.summary}`;
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
    printError(err instanceof Error ? err.message : String(err));
    return 1;
  } finally {
    await kernel?.stop();
  }
}
