/**
 * Runs the `atrium` CLI in-process against a test database and collects what it printed.
 * The test secret keeps the app role's (cluster-wide) password the same for every test file.
 */
import { runCli } from "../../scripts/cli";
import { TEST_SECRET } from "./database";
import { testPlugins } from "./plugins";

export async function runCliOn(url: string, args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, {
    plugins: testPlugins,
    print: (l) => out.push(l),
    printError: (l) => err.push(l),
    env: { DATABASE_URL: url, LOG_LEVEL: "silent", ATRIUM_SECRET: TEST_SECRET },
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}
