// Parses and validates restream destination URLs. The canonical form produced here later becomes an
// ffmpeg output argument, and ffmpeg gives meaning to much more than plain URLs (protocol prefixes
// like "concat:" or "crypto:", "|" separators in concat/tee, local files), so this is an allow-list:
// anything not explicitly understood is refused. Error messages never echo the raw URL, paths, or
// query values, because those may hold a stream key, passphrase or stream id.
import { isIPv4, isIPv6 } from "node:net";
import type { DestinationKind, DestinationTarget, RtmpTarget, SrtTarget } from "../defs/destination.js";
import { ValidationFailedError } from "../defs/errors.js";

export class InvalidUrlError extends ValidationFailedError {
  constructor(problem: string) {
    super(problem, { url: problem });
  }
}

const MAX_URL_LENGTH = 2048;
const ACCEPTED_SCHEMES = "rtmp://, rtmps:// or srt://";
const DEFAULT_PORTS = { rtmp: 1935, rtmps: 443 } as const;
const SRT_OPTIONS = new Set(["latency", "passphrase", "pbkeylen", "streamid", "mode"]);
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const DNS_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const PATH_SEGMENT = /^[A-Za-z0-9._~-]+$/;

function fail(problem: string): never {
  throw new InvalidUrlError(problem);
}

export function parseDestinationUrl(url: string): DestinationTarget {
  checkCharacters(url);
  const { kind, rest } = splitScheme(url);
  const end = rest.search(/[/?#]/);
  const authority = end < 0 ? rest : rest.slice(0, end);
  const tail = end < 0 ? "" : rest.slice(end);
  const { host, port } = parseAuthority(authority, kind);
  return kind === "srt" ? parseSrt(host, port, tail) : parseRtmp(kind, host, port, tail);
}

// Refuse rather than trim: a stray space or newline usually means a paste went wrong, and control or
// invisible format characters have no business in an argument handed to ffmpeg.
function checkCharacters(url: string): void {
  if (typeof url !== "string" || url === "") fail("destination URL is empty");
  if (url.length > MAX_URL_LENGTH) fail(`destination URL is longer than ${MAX_URL_LENGTH} characters`);
  if (/[\s\p{Cc}\p{Cf}]/u.test(url)) fail("destination URL contains whitespace or control characters");
  // "|" separates inputs in ffmpeg's concat protocol and outputs in its tee muxer; "\" is its escape.
  if (/[|\\]/.test(url)) fail("destination URL must not contain '|' or '\\'");
}

function splitScheme(url: string): { kind: DestinationKind; rest: string } {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(url);
  if (!match?.[1]) fail(`destination URL must start with ${ACCEPTED_SCHEMES}`);
  const scheme = match[1].toLowerCase();
  // Exact match only: this also refuses ffmpeg nesting such as "rtmp+tls:", "concat:rtmp://…", "hls+http:".
  if (scheme !== "rtmp" && scheme !== "rtmps" && scheme !== "srt") {
    fail(`scheme "${scheme.slice(0, 20)}:" is not accepted for destinations; use ${ACCEPTED_SCHEMES}`);
  }
  const afterColon = url.slice(match[0].length);
  if (!afterColon.startsWith("//")) fail(`"${scheme}:" must be followed by "//" and a host`);
  return { kind: scheme, rest: afterColon.slice(2) };
}

function parseAuthority(authority: string, kind: DestinationKind): { host: string; port: number } {
  if (authority.includes("@")) {
    fail("destination URL must not contain user:password@; keys go in the stream key field");
  }
  if (authority === "") fail("destination URL has no host");
  const bracketed = /^\[([^\]]*)\](?::(.*))?$/.exec(authority);
  if (bracketed) return { host: parseIpv6(bracketed[1] ?? ""), port: parsePort(bracketed[2], kind) };
  if (authority.startsWith("[")) fail("IPv6 host must be written as [address] or [address]:port");
  const [hostText = "", portText, ...extra] = authority.split(":");
  if (extra.length > 0) fail(`IPv6 addresses must be in brackets, e.g. ${kind}://[2001:db8::1]:9000`);
  return { host: parseHostName(hostText), port: parsePort(portText, kind) };
}

// Zone ids ("%eth0") are refused by the character check: they are host-local and "%" is ambiguous in URLs.
function parseIpv6(text: string): string {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || !isIPv6(text)) fail("host is not a valid IPv6 address");
  return text.toLowerCase();
}

function parseHostName(text: string): string {
  if (text === "") fail("destination URL has no host");
  if (/[^\p{ASCII}]/u.test(text)) {
    fail("host must be ASCII: internationalised host names are not accepted (use the xn-- punycode form)");
  }
  if (!/^[A-Za-z0-9.-]+$/.test(text)) {
    fail("host may contain only letters, digits, '-' and '.' (or be an IPv6 address in brackets)");
  }
  // A numeric last label means an IPv4 attempt; resolvers accept shorthands like "127.1", "0x7f.1" or
  // octal "010.0.0.1" that would dodge review, so only a canonical dotted quad passes.
  const labels = text.split(".");
  if (/^(?:\d+|0x[0-9a-f]*)$/i.test(labels.at(-1) ?? "")) {
    if (!isIPv4(text)) fail(`host "${text}" is not a valid IPv4 address (four numbers 0-255)`);
    return text;
  }
  if (text.length > 253 || !labels.every((label) => DNS_LABEL.test(label))) {
    fail(`host "${text.slice(0, 253)}" is not a valid DNS name (labels of 1-63 letters, digits, inner '-')`);
  }
  return text.toLowerCase();
}

function parsePort(text: string | undefined, kind: DestinationKind): number {
  if (text === undefined) {
    if (kind === "srt") fail("SRT destinations need a port, e.g. srt://host:9000");
    return DEFAULT_PORTS[kind];
  }
  const port = /^\d{1,5}$/.test(text) ? Number(text) : 0;
  if (port < 1 || port > 65535) fail("port must be a number from 1 to 65535");
  return port;
}

function parseRtmp(kind: "rtmp" | "rtmps", host: string, port: number, tail: string): RtmpTarget {
  if (/[?#]/.test(tail)) {
    fail(`${kind} URL must not have a query or fragment: put the stream key in the stream key field`);
  }
  const app = tail.replace(/^\//, "").replace(/\/$/, "");
  if (app === "") fail(`${kind} URL needs an application name, e.g. ${kind}://${host}/live`);
  for (const segment of app.split("/")) {
    if (segment === "") fail("application path has an empty segment ('//')");
    if (segment === "." || segment === "..") fail("application path must not contain '.' or '..' segments");
    if (!PATH_SEGMENT.test(segment)) {
      fail("application path may contain only letters, digits, '.', '_', '~' and '-' between slashes");
    }
  }
  return { kind, host, port, app };
}

function parseSrt(host: string, port: number, tail: string): SrtTarget {
  if (tail.includes("#")) fail("SRT URL must not have a fragment; write '#' as %23 in option values");
  const q = tail.indexOf("?");
  const path = q < 0 ? tail : tail.slice(0, q);
  if (path !== "" && path !== "/")
    fail("SRT URL has no path; give options as a query: srt://h:9000?latency=200");
  const target: SrtTarget = { kind: "srt", host, port };
  return q < 0 ? target : applySrtOptions(target, readQuery(tail.slice(q + 1)));
}

// Names only ever come from the allow-list or look like an option name; values are never echoed.
function describeOption(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]{0,23}$/.test(name) ? `"${name}"` : "with an unrecognised name";
}

// URLSearchParams decoding ("+" is a space, %XX is UTF-8, malformed escapes stay literal), applied to one
// piece at a time so that empty pieces and repeats can be refused instead of silently skipped or merged.
function decodeQueryComponent(raw: string): string {
  return new URLSearchParams(`v=${raw}`).get("v") ?? "";
}

function readQuery(query: string): Map<string, string> {
  if (query === "") fail("SRT URL has an empty query after '?'");
  const options = new Map<string, string>();
  for (const piece of query.split("&")) {
    if (piece === "") fail("SRT URL query has an empty option (a stray '&')");
    const eq = piece.indexOf("=");
    const name = decodeQueryComponent(eq < 0 ? piece : piece.slice(0, eq));
    const value = eq < 0 ? "" : decodeQueryComponent(piece.slice(eq + 1));
    if (!SRT_OPTIONS.has(name)) {
      fail(
        `SRT option ${describeOption(name)} is not supported (latency, passphrase, pbkeylen, streamid, mode)`,
      );
    }
    if (options.has(name)) fail(`SRT option "${name}" is given more than once`);
    if (value === "") fail(`SRT option "${name}" has an empty value`);
    options.set(name, value);
  }
  return options;
}

function applySrtOptions(target: SrtTarget, options: Map<string, string>): SrtTarget {
  const { latency, passphrase, pbkeylen, streamid, mode } = Object.fromEntries(options);
  // Milliseconds, as devices and srt-live-transmit use; ffmpeg's own "latency" is in microseconds.
  if (latency !== undefined) {
    const ms = /^\d{1,5}$/.test(latency) ? Number(latency) : -1;
    if (ms < 0 || ms > 60000) fail('SRT option "latency" must be whole milliseconds from 0 to 60000');
    target.latencyMs = ms;
  }
  if (mode !== undefined && mode !== "caller") {
    fail('SRT option "mode" must be "caller": destinations are SRT listeners; Streamwell calls them');
  }
  if (passphrase !== undefined) {
    // libsrt's limits: SRTO_PASSPHRASE is refused outside 10-79 characters.
    if (!PRINTABLE_ASCII.test(passphrase) || passphrase.length < 10 || passphrase.length > 79) {
      fail('SRT option "passphrase" must be 10 to 79 printable ASCII characters');
    }
    target.passphrase = passphrase;
  }
  if (pbkeylen !== undefined) {
    if (passphrase === undefined) fail('SRT option "pbkeylen" is only meaningful with a passphrase');
    if (!["16", "24", "32"].includes(pbkeylen)) fail('SRT option "pbkeylen" must be 16, 24 or 32');
    target.pbkeylen = Number(pbkeylen) as 16 | 24 | 32;
  }
  if (streamid !== undefined) {
    if (streamid.length > 512 || !PRINTABLE_ASCII.test(streamid)) {
      fail('SRT option "streamid" must be 1 to 512 printable ASCII characters');
    }
    target.streamid = streamid;
  }
  return target;
}

// Stricter than encodeURIComponent: also encodes !'()* so that no quote or bracket reaches ffmpeg's
// option-string parsers (tee, av_get_token) unescaped.
function encodeValue(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function buildUrl(target: DestinationTarget, redact: boolean): string {
  const host = target.host.includes(":") ? `[${target.host}]` : target.host;
  if (target.kind !== "srt") {
    const port = target.port === DEFAULT_PORTS[target.kind] ? "" : `:${target.port}`;
    return `${target.kind}://${host}${port}/${target.app}`;
  }
  const query: string[] = [];
  if (target.latencyMs !== undefined) query.push(`latency=${target.latencyMs}`);
  if (target.passphrase !== undefined) {
    query.push(`passphrase=${redact ? "***" : encodeValue(target.passphrase)}`);
  }
  if (target.pbkeylen !== undefined) query.push(`pbkeylen=${target.pbkeylen}`);
  if (target.streamid !== undefined) query.push(`streamid=${encodeValue(target.streamid)}`);
  return `srt://${host}:${target.port}${query.length > 0 ? `?${query.join("&")}` : ""}`;
}

const TARGET_FIELDS = ["kind", "host", "port", "app", "latencyMs", "passphrase", "pbkeylen", "streamid"];

/** Canonical URL of a target. A hand-built target is validated by re-parsing, since this feeds ffmpeg. */
export function formatDestinationUrl(target: DestinationTarget, opts: { redact?: boolean } = {}): string {
  const canonical = { ...target, host: target.host.toLowerCase() };
  const reparsed = parseDestinationUrl(buildUrl(canonical, false));
  if (!TARGET_FIELDS.every((field) => Reflect.get(reparsed, field) === Reflect.get(canonical, field))) {
    fail("destination target does not describe a valid URL");
  }
  return buildUrl(canonical, opts.redact === true);
}
