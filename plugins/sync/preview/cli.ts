/**
 * The `atrium preview` command (./server.ts): reads its arguments, starts the server, prints its
 * address and runs until interrupted. Exit codes: 2 usage or a refused address, 0 stopped.
 */
import { viewerAssets } from "../offline/assets";
import { PreviewProblem, startPreview } from "./server";

export async function runPreviewCli(argv: readonly string[], io: { root: string; stdout: (t: string) => void; stderr: (t: string) => void; until?: Promise<unknown> }): Promise<number> {
  const flags: Record<string, string> = {};
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith("--")) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith("--")) {
        io.stderr(`${arg} needs a value\n`);
        return 2;
      }
      flags[arg.slice(2)] = value;
      i++;
    } else if (dir === undefined) dir = arg;
    else {
      io.stderr(`Unexpected argument "${arg}"\n`);
      return 2;
    }
  }
  const port = flags.port === undefined ? 4321 : Number(flags.port);
  if (!dir || !flags.data || !Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr("Use `atrium preview <folder of dashboards> --data <db.sqlite|data.csv> [--port 4321] [--host 127.0.0.1]`\n");
    return 2;
  }
  try {
    const server = await startPreview({ dir, data: flags.data, host: flags.host, port, assets: () => viewerAssets(io.root) });
    io.stdout(`Previewing the dashboards in ${dir} at ${server.url}/ (no sign-in; this machine only). Ctrl-C to stop.\n`);
    await (io.until ?? new Promise<void>((stop) => process.once("SIGINT", () => stop())));
    await server.close();
    return 0;
  } catch (err) {
    if (err instanceof PreviewProblem) {
      io.stderr(`${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
