/**
 * Operator commands: `npm run atrium -- users:create|users:disable|mail:outbox`.
 * They act as the system (audited with actor kind "system"), through the app's connection.
 */
import { writeAudit } from "~/kernel/audit";
import { invalidateAllSessions } from "~/kernel/auth/session";
import type { CliCommand } from "~/kernel/plugin";
import { createPasswordUser, emailSchema, hashPassword, nameSchema, passwordDb, passwordProblem } from "./service";

type Flags = Record<string, string | boolean>;

function stringFlag(flags: Flags, name: string, usage: string): string {
  const value = flags[name];
  if (typeof value !== "string" || value === "") throw new Error(`Missing --${name}. Usage: npm run atrium -- ${usage}`);
  return value;
}

function emailFlag(flags: Flags, usage: string): string {
  const parsed = emailSchema.safeParse(stringFlag(flags, "email", usage));
  if (!parsed.success) throw new Error(`--email: ${parsed.error.issues[0]?.message ?? "not a valid email address"}`);
  return parsed.data;
}

const CREATE_USAGE = "users:create --email <email> --password <password> [--name <name>]";
const DISABLE_USAGE = "users:disable --email <email>";
const OUTBOX_USAGE = "mail:outbox [--limit <n>]";

export const authPasswordCli: Record<string, CliCommand> = {
  "users:create": {
    summary: "Create a person who signs in with a password (email marked verified); prints the user id",
    usage: "--email <email> --password <password> [--name <name>]",
    async run({ kernel, flags, print }) {
      const email = emailFlag(flags, CREATE_USAGE);
      const password = stringFlag(flags, "password", CREATE_USAGE);
      const problem = passwordProblem(password, email);
      if (problem) throw new Error(`--password: ${problem}`);
      let name = "";
      if (flags.name !== undefined) {
        const parsed = nameSchema.safeParse(flags.name === true ? "" : flags.name);
        if (!parsed.success) throw new Error(`--name: ${parsed.error.issues[0]?.message ?? "not a valid name"}`);
        name = parsed.data;
      }
      const passwordHash = await hashPassword(password);
      const id = await kernel.db.transaction().execute(async (trx) => {
        // An operator created it: the address counts as verified.
        const user = await createPasswordUser(passwordDb(trx), { email, name, passwordHash, verified: true });
        if (!user) throw new Error(`A user with the email ${email} already exists.`);
        await writeAudit(
          trx,
          { kind: "system", label: "cli users:create" },
          { action: "auth.user_created", target: { type: "user", id: user.id }, data: { method: "password", verified: true } },
        );
        return user.id;
      });
      print(id);
    },
  },

  "users:disable": {
    summary: "Disable a person's account and end all their sessions",
    usage: "--email <email>",
    async run({ kernel, flags, print }) {
      const email = emailFlag(flags, DISABLE_USAGE);
      const result = await kernel.db.transaction().execute(async (trx) => {
        const user = await trx.selectFrom("users").select(["id", "disabled_at"]).where("email", "=", email).forUpdate().executeTakeFirst();
        if (!user) throw new Error(`No user has the email ${email}.`);
        if (!user.disabled_at) await trx.updateTable("users").set({ disabled_at: new Date(), updated_at: new Date() }).where("id", "=", user.id).execute();
        const sessionsEnded = await invalidateAllSessions(trx, user.id);
        await writeAudit(
        trx,
        { kind: "system", label: "cli users:disable" },
        { action: "auth.user_disabled", target: { type: "user", id: user.id }, data: { sessionsEnded, alreadyDisabled: !!user.disabled_at } },
        );
        return { id: user.id, sessionsEnded, alreadyDisabled: !!user.disabled_at };
      });
      print(
        `${result.alreadyDisabled ? "Already disabled" : "Disabled"}: ${email} (${result.id}); ended ${result.sessionsEnded} session(s).`,
      );
    },
  },

  "mail:outbox": {
    summary: "Print the newest messages of the mail outbox (verification and reset links in development)",
    usage: "[--limit <n>]",
    async run({ kernel, flags, print }) {
      let limit = 10;
      if (flags.limit !== undefined) {
        limit = Number(flags.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new Error(`--limit must be a whole number from 1 to 1000. Usage: npm run atrium -- ${OUTBOX_USAGE}`);
      }
      const rows = await kernel.db
        .selectFrom("mail_outbox")
        .select(["created_at", "to_address", "subject", "text_body", "sent_at", "error"])
        .orderBy("created_at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      if (!rows.length) {
        print("The outbox is empty.");
        return;
      }
      rows.forEach((row, i) => {
        if (i > 0) print("");
        const status = row.error ? `  (not sent: ${row.error})` : row.sent_at ? "  (sent)" : "";
        print(`── ${row.created_at.toISOString()}  to ${row.to_address}${status}`);
        print(`Subject: ${row.subject}`);
        print("");
        print(row.text_body);
      });
    },
  },
};
