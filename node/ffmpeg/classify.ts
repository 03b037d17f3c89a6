// The relays' exit classifier (./exit.ts): maps how a relay's ffmpeg ended (exit code, signal, its
// last stderr lines) to a restream error code and a message a user can act on. Pure. Every rule was
// written against stderr captured from this machine's ffmpeg 5.1 (test/fixtures/ffmpeg/, made by
// capture.sh): ffmpeg has no error codes of its own, so text is all there is. Messages are fixed
// strings (at most a codec name, [a-z0-9_], is taken from stderr), so they cannot carry a secret even
// if unredacted lines are passed in.
import type { ErrorCode } from "../defs/restream-status.js";
import { type ExitFacts, outputOpened } from "./exit.js";

export interface Classification {
  readonly code: ErrorCode;
  readonly message: string;
}

/** What the rules look at, read once from the stderr lines. */
interface Facts {
  readonly text: string;
  readonly output: "rtmp" | "rtmps" | "srt" | null;
  /** ffmpeg logged "Output #0 ... to": the connection (and, for RTMP, the publish) went through. */
  readonly opened: boolean;
  /** Media time written before the end, from ffmpeg's final stats line; null if none. */
  readonly sentSeconds: number | null;
}

export interface Rule {
  readonly name: string;
  readonly when: (facts: Facts) => boolean;
  readonly code: ErrorCode;
  readonly message: string | ((facts: Facts) => string);
}

/** Media time under which a dropped RTMP connection counts as a refused publish: nginx-rtmp's
 * `deny publish` lets ffmpeg write 2 frames (time=-00:00:00.02) before it closes. */
const PUBLISH_WINDOW_S = 2;

const isRtmp = (f: Facts): boolean => f.output === "rtmp" || f.output === "rtmps";
const has = (re: RegExp) => (f: Facts) => re.test(f.text);

/** First match wins; the order matters (a TLS failure also ends in "Input/output error"). */
export const RULES: readonly Rule[] = [
  {
    name: "codec not allowed in FLV",
    when: has(/codec [a-z0-9_]+ not compatible with flv/i),
    code: "unsupported_codec",
    message: (f) =>
      `the stream's ${/(video|audio) codec ([a-z0-9_]+) not compatible/i.exec(f.text)?.[2] ?? "codec"} cannot be sent over RTMP (it needs H.264 video and AAC audio); use an SRT destination`,
  },
  {
    name: "TLS certificate not trusted",
    when: has(
      /certificate failed verification|certificate's owner does not match|certificate is not trusted/i,
    ),
    code: "destination_unreachable",
    message:
      "the destination's TLS certificate did not verify (self-signed, expired or for another host?); fix the certificate or save the destination with certificate checks off",
  },
  {
    name: "timed out",
    when: has(/Connection timed out/i),
    code: "destination_timeout",
    message: (f) =>
      f.opened
        ? "the destination stopped accepting data (timed out)"
        : f.output === "rtmps"
          ? "the destination did not answer the TLS handshake in time (is it plain RTMP on that port?)"
          : "the destination did not answer in time",
  },
  {
    name: "connection refused",
    when: has(/Connection refused/i),
    code: "destination_unreachable",
    message: "the destination refused the connection (is the server running, and the port right?)",
  },
  {
    name: "host name does not resolve",
    when: has(/Failed to resolve hostname|Name or service not known|Temporary failure in name resolution/i),
    code: "destination_unreachable",
    message: "the destination's host name could not be resolved",
  },
  {
    name: "no route",
    when: has(/No route to host|Network is unreachable/i),
    code: "destination_unreachable",
    message: "there is no network route to the destination",
  },
  {
    name: "SRT passphrase refused (libsrt said so)",
    when: (f) => f.output === "srt" && !f.opened && /Incorrect passphrase/i.test(f.text),
    code: "destination_unreachable",
    message: "the SRT listener refused the passphrase",
  },
  {
    name: "SRT connect failed",
    when: (f) => f.output === "srt" && !f.opened && /Input\/output error/i.test(f.text),
    code: "destination_unreachable",
    // ffmpeg 5.1 reports a missing listener and a wrong passphrase with the same words.
    message:
      "the SRT connection failed: no listener answered at that address, or it refused the passphrase or stream id",
  },
  {
    name: "SRT connection lost",
    when: (f) =>
      f.output === "srt" && f.opened && /Input\/output error|Broken pipe|reset by peer/i.test(f.text),
    code: "destination_unreachable",
    message: "the SRT connection to the destination was lost",
  },
  {
    // nginx-rtmp's NetStream.Publish.BadName: another session (perhaps a vanished node's, not yet
    // dropped) publishes this key. ffmpeg ends with "Operation not permitted".
    name: "RTMP key already published",
    when: (f) => isRtmp(f) && !f.opened && /Server error: Already publishing/i.test(f.text),
    code: "destination_rejected",
    message: "the destination refused the publish: the stream key is already being published there",
  },
  {
    // nginx-rtmp's on_publish 403 and an unknown application both end the connect or publish
    // command this way, before ffmpeg logs its output as open.
    name: "RTMP connect or publish refused",
    when: (f) => isRtmp(f) && !f.opened && /Input\/output error|Broken pipe|reset by peer/i.test(f.text),
    code: "destination_rejected",
    message: "the destination refused the stream (wrong stream key or application?)",
  },
  {
    // `deny publish`: the publish "succeeds", then the server closes before media gets going.
    name: "RTMP closed right after publish",
    when: (f) =>
      isRtmp(f) &&
      (f.sentSeconds ?? 0) < PUBLISH_WINDOW_S &&
      /Broken pipe|reset by peer|Input\/output error|End of file/i.test(f.text),
    code: "destination_rejected",
    message:
      "the destination closed the stream right after it was published (stream key refused, or publishing not allowed?)",
  },
  {
    name: "RTMP connection lost",
    when: (f) => isRtmp(f) && /Broken pipe|reset by peer|Input\/output error|End of file/i.test(f.text),
    code: "destination_unreachable",
    message: "the connection to the destination was lost mid-stream",
  },
];

export function classifyRelayExit(exit: ExitFacts): Classification | null {
  // Whatever it printed on the way out, a relay we stopped ended as asked. SIGINT gives exit 255
  // while streaming, but exit 1 ("Immediate exit requested") while it is still connecting.
  if (exit.stoppedByUs) return null;
  const facts = readFacts(exit.stderrLines);
  const rule = RULES.find((r) => r.when(facts));
  if (rule)
    return {
      code: rule.code,
      message: typeof rule.message === "string" ? rule.message : rule.message(facts),
    };
  // Exit 0 with nothing matched: the input ended (the publisher left) and ffmpeg finished its output.
  if (exit.exitCode === 0) return null;
  if (exit.signal !== null) return { code: "internal", message: `ffmpeg was killed by ${exit.signal}` };
  if (/received signal/i.test(facts.text)) {
    return { code: "internal", message: "ffmpeg was stopped by a signal that did not come from Streamwell" };
  }
  return {
    code: "internal",
    message: `ffmpeg stopped unexpectedly (exit code ${exit.exitCode ?? "unknown"}); see the restream's logs`,
  };
}

function readFacts(lines: readonly string[]): Facts {
  const text = lines.join("\n");
  const scheme = /\b(rtmps|rtmp|srt):\/\//.exec(text)?.[1];
  const output = scheme === "rtmp" || scheme === "rtmps" || scheme === "srt" ? scheme : null;
  return { text, output, opened: outputOpened(lines), sentSeconds: lastStatsTime(lines) };
}

// "frame=   81 fps= 33 q=-1.0 Lsize=    1030kB time=00:00:02.60 bitrate=..." (also time=-00:00:00.02)
function lastStatsTime(lines: readonly string[]): number | null {
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const match = /\btime=(-?)(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(lines[i] ?? "");
    if (!match) continue;
    const seconds = Number(match[2]) * 3600 + Number(match[3]) * 60 + Number(match[4]);
    return match[1] === "-" ? -seconds : seconds;
  }
  return null;
}
