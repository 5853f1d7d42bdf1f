import { afterAll, beforeAll, expect, test } from "vitest";
import { bootKernel, type Kernel } from "~/kernel/kernel";
import { createLogger } from "~/kernel/log";
import { SESSION_COOKIE } from "~/kernel/auth/session";
import { resolveCaller } from "~/kernel/auth/request";
import { buildAppRouter } from "~/kernel/router";
import { createCallerFactory, type Actor } from "~/kernel/trpc";
import { createTestDatabase, testConfig } from "../../tests/setup/database";
import { testPlugins } from "../../tests/setup/plugins";

// A kernel logging everything (trace) into memory, to prove no secret reaches the logs.
const lines: string[] = [];
let kernel: Kernel;
let database: Awaited<ReturnType<typeof createTestDatabase>>;
beforeAll(async () => {
  database = await createTestDatabase();
  kernel = await bootKernel({
    config: testConfig(database.url),
    plugins: testPlugins,
    workJobs: false,
    log: createLogger("trace", { write: (line: string) => void lines.push(line) }),
  });
});
afterAll(async () => {
  await kernel?.stop();
  await database?.drop();
});

const createCaller = createCallerFactory(buildAppRouter(testPlugins));

function client(actor: Actor = { kind: "anonymous" }) {
  const resHeaders = new Headers();
  return { resHeaders, call: createCaller({ kernel, actor, db: kernel.db, requestId: "logs", ip: "198.51.100.1", resHeaders }) };
}

function tokenOf(headers: Headers): string {
  return /^atrium_session=([a-z2-7]{32})/.exec(headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!)![1]!;
}

async function lastLink(email: string): Promise<string> {
  const mail = await kernel.ownerDb.selectFrom("mail_outbox").select("text_body").where("to_address", "=", email).orderBy("created_at", "desc").executeTakeFirstOrThrow();
  return /token=([a-z2-7]{32})/.exec(mail.text_body)![1]!;
}

test("no password, link token or session token appears in the logs", async () => {
  const email = "logged@example.test";
  const secrets: string[] = ["first logged passphrase", "wrong logged passphrase", "second logged passphrase", "third logged passphrase"];
  const a = client();
  await a.call.authPassword.signUp({ email, password: secrets[0]!, name: "Logged" });
  secrets.push(tokenOf(a.resHeaders));
  await expect(client().call.authPassword.signIn({ email, password: secrets[1]! })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  await expect(client().call.authPassword.signUp({ email, password: "password123", name: "Weak" })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
  const verify = await lastLink(email);
  secrets.push(verify);
  await client().call.authPassword.verifyEmail({ token: verify });
  await expect(client().call.authPassword.verifyEmail({ token: verify })).rejects.toMatchObject({ code: "UNPROCESSABLE_CONTENT" });
  await client().call.authPassword.requestPasswordReset({ email });
  const reset = await lastLink(email);
  secrets.push(reset);
  const r = client();
  await r.call.authPassword.resetPassword({ token: reset, password: secrets[2]! });
  const session = tokenOf(r.resHeaders);
  secrets.push(session);
  const { actor } = await resolveCaller(kernel, new Headers({ cookie: `${SESSION_COOKIE}=${session}` }));
  const c = client(actor);
  await expect(c.call.authPassword.changePassword({ currentPassword: "wrong current one", newPassword: secrets[3]! })).rejects.toMatchObject({
    code: "UNPROCESSABLE_CONTENT",
  });
  await c.call.authPassword.changePassword({ currentPassword: secrets[2]!, newPassword: secrets[3]! });
  secrets.push(tokenOf(c.resHeaders));

  // Lock the account out: every attempt carries a password that must not be logged.
  for (let i = 0; i < 11; i++) {
    const guess = `lockout guess number ${i}`;
    secrets.push(guess);
    await expect(client().call.authPassword.signIn({ email, password: guess })).rejects.toBeTruthy();
  }

  const log = lines.join("");
  // The plugin did log, so the check below is not vacuous.
  for (const message of ["account created", "password sign-in failed", "password reset", "password changed", "rate limit reached"]) {
    expect(log).toContain(`"msg":"${message}"`);
  }
  expect(log).toContain('"limits":["signin:acct"]');
  for (const secret of [...secrets, "wrong current one", "password123", email]) expect(log).not.toContain(secret);
});
