// The node's logger: pino JSON, one line per event. Fields that can hold a secret are redacted
// by name wherever they appear, so a careless `log.info({ restream })` cannot leak a key.
import { destination, type Logger as PinoLogger, pino } from "pino";

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

/** On stdout; `to: "stderr"` for a command whose stdout is its output (streamwell backup). */
export function createLogger(
  level: string,
  base: Record<string, unknown>,
  to: "stdout" | "stderr" = "stdout",
): Logger {
  const options = {
    level,
    base,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: SECRET_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`]), censor: "[redacted]" },
  };
  return to === "stdout" ? pino(options) : pino(options, destination(2));
}
