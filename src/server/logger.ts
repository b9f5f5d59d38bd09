// Structured server logs. Authorization headers and key material are
// redacted at the logger so no call site can leak them by accident.
import pino from "pino";
import { env } from "../env";

export const logger = pino({
  level: env().LOG_LEVEL,
  base: { service: "xmonitor-ops" },
  redact: {
    paths: [
      "authorization",
      "headers.authorization",
      "req.headers.authorization",
      "apiKey",
      "key",
      "*.apiKey",
      "*.key",
    ],
    censor: "[redacted]",
  },
});
