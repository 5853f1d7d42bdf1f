import { runCliOn } from "../../tests/setup/cli";
import { afterAll, beforeAll, expect, test } from "vitest";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { resolveCaller } from "~/kernel/auth/request";
import { createCallerFactory } from "~/kernel/trpc";
import { buildAppRouter } from "~/kernel/router";
import { bootTestKernel } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";

let k: Awaited<ReturnType<typeof bootTestKernel>>;
beforeAll(async () => {
  k = await bootTestKernel();
});
afterAll(async () => k?.close());

const createCaller = createCallerFactory(buildAppRouter(testPlugins));

const cli = (args: string[]) => runCliOn(k.url, args);

function signIn(email: string, password: string) {
  const resHeaders = new Headers();
  const call = createCaller({ kernel: k.kernel, actor: { kind: "anonymous" }, db: k.kernel.db, requestId: "cli-test", ip: "192.0.2.1", resHeaders });
  return { resHeaders, result: call.authPassword.signIn({ email, password }) };
}

test("users:create makes a verified person who can sign in, with the same password rules", async () => {
  const created = await cli(["users:create", "--email", " Op.Created@Example.TEST ", "--password", "operator chosen words", "--name", "Operator Made"]);
  expect(created).toMatchObject({ code: 0, err: "" });
  expect(created.out).toMatch(/^[0-9a-f-]{36}$/);
  const user = await k.kernel.ownerDb.selectFrom("users").selectAll().where("id", "=", created.out).executeTakeFirstOrThrow();
  expect(user).toMatchObject({ email: "op.created@example.test", name: "Operator Made" });
  expect(user.email_verified_at).toBeInstanceOf(Date);
  expect((await signIn("op.created@example.test", "operator chosen words").result).userId).toBe(created.out);

  const audit = await k.kernel.ownerDb.selectFrom("audit_events").selectAll().where("action", "=", "auth.user_created").where("target_id", "=", created.out).executeTakeFirstOrThrow();
  expect(audit).toMatchObject({ actor_kind: "system", actor_label: "cli users:create" });
  expect(JSON.stringify(audit)).not.toContain("operator chosen words");

  const again = await cli(["users:create", "--email", "op.created@example.test", "--password", "operator chosen words"]);
  expect(again.code).toBe(1);
  expect(again.err).toMatch(/already exists/);

  const weak = await cli(["users:create", "--email", "weak@example.test", "--password", "password123"]);
  expect(weak.code).toBe(1);
  expect(weak.err).toMatch(/--password: .*most common/);
  const missing = await cli(["users:create", "--email", "nopass@example.test"]);
  expect(missing.code).toBe(1);
  expect(missing.err).toMatch(/Missing --password\. Usage: npm run atrium -- users:create/);
  const badEmail = await cli(["users:create", "--email", "nope", "--password", "operator chosen words"]);
  expect(badEmail.code).toBe(1);
  expect(badEmail.err).toMatch(/--email: Enter a valid email address/);
});

test("users:disable blocks sign-in and ends every session", async () => {
  const created = await cli(["users:create", "--email", "to.disable@example.test", "--password", "soon to be disabled"]);
  const first = signIn("to.disable@example.test", "soon to be disabled");
  await first.result;
  const token = /^atrium_session=([a-z2-7]{32})/.exec(first.resHeaders.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!)![1]!;
  const cookie = () => resolveCaller(k.kernel, new Headers({ cookie: `${SESSION_COOKIE}=${token}` }));
  expect((await cookie()).actor.kind).toBe("user");

  const disabled = await cli(["users:disable", "--email", "TO.DISABLE@example.test"]);
  expect(disabled).toMatchObject({ code: 0, out: `Disabled: to.disable@example.test (${created.out}); ended 1 session(s).` });
  expect((await cookie()).actor.kind).toBe("anonymous");
  await expect(signIn("to.disable@example.test", "soon to be disabled").result).rejects.toMatchObject({ code: "FORBIDDEN" });
  const sessions = await k.kernel.ownerDb.selectFrom("sessions").select("id").where("user_id", "=", created.out).execute();
  expect(sessions).toHaveLength(0);

  expect((await cli(["users:disable", "--email", "to.disable@example.test"])).out).toMatch(/^Already disabled/);
  const unknown = await cli(["users:disable", "--email", "nobody@example.test"]);
  expect(unknown.code).toBe(1);
  expect(unknown.err).toMatch(/No user has the email nobody@example.test/);
});

test("mail:outbox prints the newest messages: date, recipient, subject, body", async () => {
  expect((await cli(["mail:outbox"])).out).toBe("The outbox is empty.");
  const call = createCaller({ kernel: k.kernel, actor: { kind: "anonymous" }, db: k.kernel.db, requestId: "cli-test", ip: "192.0.2.2", resHeaders: new Headers() });
  await call.authPassword.signUp({ email: "first.mail@example.test", password: "first mail words", name: "First" });
  await call.authPassword.signUp({ email: "second.mail@example.test", password: "second mail words", name: "Second" });

  const one = await cli(["mail:outbox", "--limit", "1"]);
  expect(one.code).toBe(0);
  const lines = one.out.split("\n");
  expect(lines[0]).toMatch(/^── \d{4}-\d{2}-\d{2}T\S+Z {2}to second\.mail@example\.test$/);
  expect(lines[1]).toBe("Subject: Confirm your email address for Atrium");
  expect(one.out).toMatch(/http:\/\/localhost:3000\/verify-email\?token=[a-z2-7]{32}/);
  expect(one.out).not.toContain("first.mail@example.test");

  const all = await cli(["mail:outbox"]);
  expect(all.out.indexOf("second.mail@example.test")).toBeLessThan(all.out.indexOf("first.mail@example.test"));

  const bad = await cli(["mail:outbox", "--limit", "lots"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toMatch(/--limit must be a whole number/);
});

test("the commands appear in --help", async () => {
  const help = await cli(["--help"]);
  expect(help.out).toContain("Plugin auth-password:");
  for (const cmd of ["users:create", "users:disable", "mail:outbox"]) expect(help.out).toContain(cmd);
});
