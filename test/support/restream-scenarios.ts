// Fault scenarios both restream engines must pass, run through the API of a live node. Each returns
// what it made, so a test file adds the checks that are its engine's own (log lines, processes).
import { expect } from "vitest";
import { type NginxRtmp, startNginxRtmp } from "./nginx-rtmp.js";
import { codecsAt, expectRetryAtSoon, type RestreamApi, type RestreamBody } from "./restreams.js";
import { startTlsTerminator, type TlsTerminator } from "./tls-terminator.js";
import { waitFor } from "./wait.js";

/**
 * A destination SIGKILLed mid-stream: error (destination_unreachable) with a retryAt, retries while
 * it is down, streaming again by itself once it listens on the same port. `track` gets each nginx
 * started here, for the test's cleanup.
 */
export async function destinationDiesAndReturns(
  api: RestreamApi,
  key: string,
  track: (nginx: NginxRtmp) => void,
): Promise<{ id: string; dead: NginxRtmp; failed: RestreamBody }> {
  const dying = await startNginxRtmp();
  track(dying);
  const channel = await api.liveChannel("Destination dies");
  const id = await api.startRestream(channel.id, await api.createDestination("dies", dying.url("live")), key);
  // Well past the first seconds: a connection that drops within ~2 s of the publish is classified
  // as a refused publish (nginx-rtmp's `deny publish` looks like that).
  await waitFor(
    "a few seconds of streaming",
    async () => {
      const body = await api.restream(id);
      return body.state === "streaming" && body.stats.uptimeSeconds >= 3;
    },
    30_000,
  );

  await dying.kill("SIGKILL");
  const failed = await api.waitForState(id, "error", 20_000);
  expect(failed.error?.code).toBe("destination_unreachable");
  expectRetryAtSoon(failed.error?.retryAt);
  // It keeps retrying while the destination is down (the retry finds nothing listening).
  const retried = await waitFor(
    "a retry while the destination is down",
    async () => {
      const body = await api.restream(id);
      return body.stats.restarts > failed.stats.restarts && body.state === "error" ? body : undefined;
    },
    20_000,
  );
  expect(retried.error?.code).toBe("destination_unreachable");

  const reborn = await startNginxRtmp({ port: dying.port });
  track(reborn);
  expect(reborn.port).toBe(dying.port);
  // No user action: the backoff (capped at 30 s + 20 %) brings it back.
  const back = await api.waitForState(id, "streaming", 45_000);
  expect(back.error).toBeNull();
  expect(await codecsAt(reborn.url("live", key))).toEqual(["aac", "h264"]);
  const logs = await api.logText(id);
  expect(logs).toContain("destination_unreachable");
  expect(logs).not.toContain(key);
  return { id, dead: dying, failed };
}

/**
 * An RTMPS destination behind a TLS terminator with a self-signed certificate in front of `nginx`:
 * the verifying restream fails and never publishes or sends a byte, the one saved with
 * insecureSkipVerify streams. Returns the verifying restream's error for the engine's own checks.
 */
export async function untrustedCertificate(
  api: RestreamApi,
  nginx: NginxRtmp,
  keys: { strict: string; insecure: string },
  track: (terminator: TlsTerminator) => void,
): Promise<{ strictId: string; failed: RestreamBody; strictNow: RestreamBody }> {
  const terminator = await startTlsTerminator({ targetPort: nginx.port });
  track(terminator);
  const strict = await api.createDestination("tls strict", terminator.url("live"), {
    insecureSkipVerify: false,
  });
  const insecure = await api.createDestination("tls insecure", terminator.url("live"), {
    insecureSkipVerify: true,
  });
  const channel = await api.liveChannel("RTMPS");

  const strictId = await api.startRestream(channel.id, strict, keys.strict);
  const failed = await api.waitForState(strictId, "error", 30_000);
  expectRetryAtSoon(failed.error?.retryAt);
  expect(terminator.connections()).toBeGreaterThan(0);
  const strictLogs = await api.logText(strictId);
  expect(strictLogs).toMatch(/certificate/i);
  expect(strictLogs).not.toContain(keys.strict);

  const insecureId = await api.startRestream(channel.id, insecure, keys.insecure);
  await api.waitForState(insecureId, "streaming", 30_000);
  expect(await codecsAt(nginx.url("live", keys.insecure))).toEqual(["aac", "h264"]);
  expect(terminator.handshakes()).toBeGreaterThan(0);

  // Meanwhile the verifying restream never got through: it kept failing (between retries a
  // relay that is starting reports awaiting_stream) and never sent a byte or published.
  const strictNow = await api.waitForState(strictId, "error", 30_000);
  expect(strictNow.stats.restarts).toBeGreaterThan(0);
  expect(strictNow.stats.bytesSent).toBe(0);
  expect(nginx.publishAttempts().some((a) => a.name === keys.strict)).toBe(false);
  expect(nginx.publishAttempts()).toContainEqual({ app: "live", name: keys.insecure, allowed: true });
  return { strictId, failed, strictNow };
}
