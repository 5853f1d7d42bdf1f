/**
 * auth-password: people sign up and sign in with an email and a password (argon2id), verify
 * their address and reset a forgotten password through single-use mailed links, and change
 * their password. Mounted at `authPassword.*`; operators get `users:create`, `users:disable`
 * and `mail:outbox`.
 */
import { definePlugin } from "~/kernel/plugin";
import { authPasswordCli } from "./cli";
import * as credentials from "./migrations/2026-11-24-001-credentials";
import { authPasswordRouter } from "./router";
import { warmDummyHash } from "./service";

export const authPasswordPlugin = definePlugin({
  id: "auth-password",
  migrations: { "2026-11-24-001-credentials": credentials },
  router: authPasswordRouter,
  cli: authPasswordCli,
  async init() {
    // The first failed sign-in for an unknown email must cost what every other one does.
    await warmDummyHash();
  },
});
