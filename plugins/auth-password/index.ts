/**
 * auth-password: people sign up and sign in with an email and a password (argon2id), verify
 * their address and reset a forgotten password through single-use mailed links, and change
 * their password. Mounted at `authPassword.*`; operators get `users:create`, `users:disable`
 * and `mail:outbox`. A password, once set, is one of the person's sign-in methods (kernel
 * `signIn` registry), so unlinking a provider identity leaves them a way in.
 */
import { definePlugin } from "~/kernel/plugin";
import { authPasswordCli } from "./cli";
import * as credentials from "./migrations/2026-11-24-001-credentials";
import { authPasswordRouter } from "./router";
import { passwordDb, warmDummyHash } from "./service";

export const authPasswordPlugin = definePlugin({
  id: "auth-password",
  migrations: { "2026-11-24-001-credentials": credentials },
  router: authPasswordRouter,
  cli: authPasswordCli,
  signIn: {
    // A password counts as a way to sign in when set; it is changed here, not unlinked.
    async methods(db, userId) {
      const row = await passwordDb(db).selectFrom("auth_password_credentials").select(["updated_at"]).where("user_id", "=", userId).executeTakeFirst();
      if (!row) return [];
      const user = await db.selectFrom("users").select(["email"]).where("id", "=", userId).executeTakeFirst();
      return [{ id: "password", kind: "password", provider: null, label: "Password", detail: user?.email ?? null, createdAt: row.updated_at, lastUsedAt: null, removable: false }];
    },
  },
  async init() {
    // The first failed sign-in for an unknown email must cost what every other one does.
    await warmDummyHash();
  },
});
