/** The dashboards plugin's CLI commands, through the real `atrium` CLI entry point. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { runCliOn } from "../../tests/setup/cli";
import { bootDataKernel } from "../data/test-helpers";
import { simpleYaml, workspace } from "./test-helpers";

let k: Awaited<ReturnType<typeof bootDataKernel>>;
beforeAll(async () => {
  k = await bootDataKernel();
});
afterAll(async () => k?.close());

const cli = (args: string[]) => runCliOn(k.url, args);

test("dashboards:import creates, then saves a new version at --slug; an invalid file lists its errors and saves nothing; export prints and writes YAML", async () => {
  const { caller, at, org, project } = await workspace(k.kernel);
  const orgSlug = (await k.kernel.ownerDb.selectFrom("orgs").select("slug").where("id", "=", org.id).executeTakeFirstOrThrow()).slug;
  const dir = mkdtempSync(path.join(tmpdir(), "atrium-dash-cli-"));
  const file = path.join(dir, "board.yaml");
  const where = ["--org", orgSlug, "--project", project.slug];

  writeFileSync(file, simpleYaml("From the CLI"));
  const created = await cli(["dashboards:import", ...where, "--file", file]);
  expect(created.err).toBe("");
  expect(created.out).toBe(`created ${orgSlug}/${project.slug}/from-the-cli (version 1)`);

  writeFileSync(file, simpleYaml("From the CLI", "# second"));
  const updated = await cli(["dashboards:import", ...where, "--file", file, "--slug", "from-the-cli"]);
  expect(updated.out).toBe(`updated ${orgSlug}/${project.slug}/from-the-cli (version 2)`);
  const history = await caller.dashboards.history({ ...at, slug: "from-the-cli" });
  expect(history.versions.map((v) => [v.version, v.message, v.author])).toEqual([
    [2, "Imported from board.yaml", null],
    [1, "Imported from board.yaml", null],
  ]);

  writeFileSync(file, "title: Broken\ncharts:\n  - id: x\n    type: pi\n");
  const invalid = await cli(["dashboards:import", ...where, "--file", file]);
  expect(invalid.code).toBe(1);
  expect(invalid.err).toMatch(/charts\.0\.type/);
  expect((await caller.dashboards.list(at)).items.map((i) => i.slug)).toEqual(["from-the-cli"]);

  const printed = await cli(["dashboards:export", ...where, "--slug", "from-the-cli"]);
  expect(printed.out).toBe(simpleYaml("From the CLI", "# second").replace(/\n$/, ""));
  const out = path.join(dir, "out");
  const written = await cli(["dashboards:export", ...where, "--out", out]);
  expect(written.out).toContain("exported 1 dashboard from");
  expect(readFileSync(path.join(out, "from-the-cli.yaml"), "utf8")).toBe(simpleYaml("From the CLI", "# second"));

  const noProject = await cli(["dashboards:export", "--org", orgSlug, "--project", "nope", "--slug", "x"]);
  expect(noProject.err).toMatch(/No project nope/);
});
