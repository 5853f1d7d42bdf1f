/**
 * Structured JSON logging (pino) with redaction.
 *
 * Cookies, authorization headers, passwords, tokens and secrets are censored wherever they
 * appear in a log object, so a careless `log.info({ req })` cannot leak them.
 */
import { pino, type Logger } from "pino";

export type { Logger };

const SENSITIVE_KEYS = [
  "password",
  "newPassword",
  "currentPassword",
  "token",
  "accessToken",
  "refreshToken",
  "secret",
  "apiKey",
  "authorization",
  "cookie",
  "set-cookie",
];

/** Redaction paths: the sensitive keys at the top level and up to three levels deep. */
export const REDACT_PATHS = [
  ...SENSITIVE_KEYS.map((k) => `["${k}"]`),
  ...SENSITIVE_KEYS.map((k) => `*["${k}"]`),
  ...SENSITIVE_KEYS.map((k) => `*.*["${k}"]`),
  ...SENSITIVE_KEYS.map((k) => `*.*.*["${k}"]`),
];

/** Creates the root logger. `destination` lets tests capture output. */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: "atrium" },
      redact: { paths: REDACT_PATHS, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
