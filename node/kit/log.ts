// The node's logger: pino JSON, one line per event. Fields that can hold a secret are redacted
// by name wherever they appear, so a careless `log.info({ restream })` cannot leak a key.
import { type Logger as PinoLogger, pino } from "pino";

export type Logger = PinoLogger;

const SECRET_FIELDS = [
  "streamKey",
  "passphrase",
  "password",
  "passwordHash",
  "token",
  "adminPassword",
  "natsToken",
  "meshSecret",
  "meshSecretAccept",
  "authorization",
  "cookie",
];

export function createLogger(level: string, base: Record<string, unknown>): Logger {
  return pino({
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: "[redacted]" },
  });
}
