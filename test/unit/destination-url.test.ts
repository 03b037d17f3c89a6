import { describe, expect, it } from "vitest";
import type { DestinationTarget } from "../../node/defs/destination.js";
import { ValidationFailedError } from "../../node/defs/errors.js";
import { redactUrl } from "../../node/kit/redaction.js";
import {
  formatDestinationUrl,
  InvalidUrlError,
  parseDestinationUrl,
} from "../../node/urls/destination-url.js";

const PASS79 = "p".repeat(79);
const STREAMID512 = "s".repeat(512);

const good: Array<[string, DestinationTarget]> = [
  ["rtmp://example.com/live", { kind: "rtmp", host: "example.com", port: 1935, app: "live" }],
  ["rtmp://a.rtmp.youtube.com/live2", { kind: "rtmp", host: "a.rtmp.youtube.com", port: 1935, app: "live2" }],
  ["rtmp://localhost:1936/live", { kind: "rtmp", host: "localhost", port: 1936, app: "live" }],
  [
    "rtmps://live-api-s.facebook.com:443/rtmp",
    { kind: "rtmps", host: "live-api-s.facebook.com", port: 443, app: "rtmp" },
  ],
  ["rtmps://global-live.mux.com/app", { kind: "rtmps", host: "global-live.mux.com", port: 443, app: "app" }],
  ["rtmps://host:1935/app", { kind: "rtmps", host: "host", port: 1935, app: "app" }],
  ["RTMP://Example.COM/Live", { kind: "rtmp", host: "example.com", port: 1935, app: "Live" }],
  ["rtmp://127.0.0.1/live", { kind: "rtmp", host: "127.0.0.1", port: 1935, app: "live" }],
  ["rtmp://10.0.0.5:1935/app/inst", { kind: "rtmp", host: "10.0.0.5", port: 1935, app: "app/inst" }],
  ["rtmp://[::1]/live", { kind: "rtmp", host: "::1", port: 1935, app: "live" }],
  ["rtmp://[2001:DB8::1]:1940/live", { kind: "rtmp", host: "2001:db8::1", port: 1940, app: "live" }],
  ["rtmp://host/live/", { kind: "rtmp", host: "host", port: 1935, app: "live" }],
  [
    "rtmp://ingest-1.example.net/a.b_c~d-e",
    { kind: "rtmp", host: "ingest-1.example.net", port: 1935, app: "a.b_c~d-e" },
  ],
  [
    "rtmp://xn--bcher-kva.example/live",
    { kind: "rtmp", host: "xn--bcher-kva.example", port: 1935, app: "live" },
  ],
  ["rtmp://255.255.255.255:65535/live", { kind: "rtmp", host: "255.255.255.255", port: 65535, app: "live" }],
  ["rtmp://h:1/a/b/c", { kind: "rtmp", host: "h", port: 1, app: "a/b/c" }],
  ["srt://example.com:9000", { kind: "srt", host: "example.com", port: 9000 }],
  ["srt://example.com:9000/", { kind: "srt", host: "example.com", port: 9000 }],
  ["srt://127.0.0.1:9000?latency=200", { kind: "srt", host: "127.0.0.1", port: 9000, latencyMs: 200 }],
  ["srt://host:9000?latency=0", { kind: "srt", host: "host", port: 9000, latencyMs: 0 }],
  ["srt://host:9000/?latency=60000", { kind: "srt", host: "host", port: 9000, latencyMs: 60000 }],
  [
    "srt://host:9000?passphrase=0123456789",
    { kind: "srt", host: "host", port: 9000, passphrase: "0123456789" },
  ],
  [`srt://host:9000?passphrase=${PASS79}`, { kind: "srt", host: "host", port: 9000, passphrase: PASS79 }],
  [
    "srt://host:9000?passphrase=secretpassphrase&pbkeylen=32",
    { kind: "srt", host: "host", port: 9000, passphrase: "secretpassphrase", pbkeylen: 32 },
  ],
  [
    "srt://host:9000?pbkeylen=24&latency=120&passphrase=abcdefghij",
    { kind: "srt", host: "host", port: 9000, latencyMs: 120, passphrase: "abcdefghij", pbkeylen: 24 },
  ],
  [
    "srt://host:9000?streamid=%23!%3A%3Ar%3Dlive%2Fcam1%2Cm%3Dpublish",
    { kind: "srt", host: "host", port: 9000, streamid: "#!::r=live/cam1,m=publish" },
  ],
  ["srt://host:9000?streamid=a+b", { kind: "srt", host: "host", port: 9000, streamid: "a b" }],
  [
    `srt://host:9000?streamid=${STREAMID512}`,
    { kind: "srt", host: "host", port: 9000, streamid: STREAMID512 },
  ],
  ["srt://host:9000?mode=caller", { kind: "srt", host: "host", port: 9000 }],
  ["SRT://[fe80::1]:9000?latency=100", { kind: "srt", host: "fe80::1", port: 9000, latencyMs: 100 }],
  [
    "srt://host:9000?passphrase=pass%26word%3D123",
    { kind: "srt", host: "host", port: 9000, passphrase: "pass&word=123" },
  ],
  // URLSearchParams semantics: a malformed escape stays literal.
  [
    "srt://host:9000?passphrase=%zzabcdefghij",
    { kind: "srt", host: "host", port: 9000, passphrase: "%zzabcdefghij" },
  ],
];

const bad: Array<[string, string]> = [
  ["", "empty"],
  [" rtmp://host/live", "whitespace"],
  ["rtmp://host/live ", "whitespace"],
  ["rtmp://host/li ve", "whitespace"],
  ["rtmp://host/live\n", "control"],
  ["rtmp://host/live\u0000", "control"],
  ["rtmp://host/live\u200b", "control"],
  ["rtmp://host/live\u00a0", "whitespace"],
  [`rtmp://host/${"a".repeat(2040)}`, "2048"],
  ["file:///etc/passwd", "rtmp://, rtmps:// or srt://"],
  ["pipe:1", 'scheme "pipe:"'],
  ["concat:rtmp://host/live", 'scheme "concat:"'],
  ["concat:rtmp://host/a|rtmp://host/b", "'|'"],
  ["subfile,,start,0,end,0,,:rtmp://host/live", "must start with rtmp://, rtmps:// or srt://"],
  ["data:text/plain,hello", 'scheme "data:"'],
  ["http://host/live", 'scheme "http:"'],
  ["tcp://host:9000", 'scheme "tcp:"'],
  ["udp://host:9000", 'scheme "udp:"'],
  ["rtmpe://host/live", 'scheme "rtmpe:"'],
  ["rtmpt://host/live", 'scheme "rtmpt:"'],
  ["crypto:rtmp://host/live", 'scheme "crypto:"'],
  ["hls+http://host/x.m3u8", 'scheme "hls+http:"'],
  ["async:rtmp://host/live", 'scheme "async:"'],
  ["cache:rtmp://host/live", 'scheme "cache:"'],
  ["rtmp+tls://host/live", 'scheme "rtmp+tls:"'],
  ["//host/live", "must start with"],
  ["rtmp://host/live|x", "'|'"],
  ["rtmp://host/live\\x", "'\\'"],
  ["rtmp:host/live", 'must be followed by "//"'],
  ["rtmp:///live", "no host"],
  ["srt://:9000", "no host"],
  ["rtmp://user:pass@host/live", "must not contain user:password@"],
  ["srt://user@host:9000", "stream key field"],
  ["rtmp://host", "application name"],
  ["rtmp://host/", "application name"],
  ["rtmp://host/live?key=abc", "put the stream key in the stream key field"],
  ["rtmp://host/live#frag", "put the stream key in the stream key field"],
  ["rtmp://host/../live", "'..'"],
  ["rtmp://host/live/./x", "'.'"],
  ["rtmp://host/live//x", "empty segment"],
  ["rtmp://host/li%20ve", "only letters, digits"],
  ["rtmp://host/live:x", "only letters, digits"],
  ["rtmp://host:0/live", "1 to 65535"],
  ["rtmp://host:65536/live", "1 to 65535"],
  ["rtmp://host:/live", "1 to 65535"],
  ["rtmp://host:abc/live", "1 to 65535"],
  ["rtmp://host:+80/live", "1 to 65535"],
  ["rtmp://-host.com/live", "not a valid DNS name"],
  ["rtmp://host-.com/live", "not a valid DNS name"],
  [`rtmp://${"a".repeat(64)}.com/live`, "not a valid DNS name"],
  ["rtmp://host..com/live", "not a valid DNS name"],
  ["rtmp://host.com./live", "not a valid DNS name"],
  ["rtmp://host_name/live", "only letters, digits, '-' and '.'"],
  ["rtmp://host%2ecom/live", "only letters, digits, '-' and '.'"],
  ["rtmp://256.1.1.1/live", "not a valid IPv4 address"],
  ["rtmp://1.2.3/live", "not a valid IPv4 address"],
  ["rtmp://127.1/live", "not a valid IPv4 address"],
  ["rtmp://010.0.0.1/live", "not a valid IPv4 address"],
  ["rtmp://0x7f.0.0.1/live", "not a valid IPv4 address"],
  ["rtmp://host.123/live", "not a valid IPv4 address"],
  ["rtmp://::1/live", "must be in brackets"],
  ["rtmp://[::1/live", "[address]"],
  ["rtmp://[::1]x/live", "[address]"],
  ["rtmp://[::g]/live", "not a valid IPv6 address"],
  ["rtmp://[1.2.3.4]/live", "not a valid IPv6 address"],
  ["rtmp://[fe80::1%25eth0]/live", "not a valid IPv6 address"],
  ["rtmp://bücher.de/live", "ASCII"],
  ["srt://host", "need a port"],
  ["srt://[::1]", "need a port"],
  ["srt://host:9000/live", "no path"],
  ["srt://host:9000#x", "fragment"],
  ["srt://host:9000?latency=abc", '"latency" must be whole milliseconds'],
  ["srt://host:9000?latency=60001", '"latency" must be whole milliseconds'],
  ["srt://host:9000?latency=-1", '"latency" must be whole milliseconds'],
  ["srt://host:9000?latency=1.5", '"latency" must be whole milliseconds'],
  ["srt://host:9000?passphrase=short", "10 to 79"],
  [`srt://host:9000?passphrase=${"p".repeat(80)}`, "10 to 79"],
  ["srt://host:9000?passphrase=caf%C3%A9secret1", "printable ASCII"],
  ["srt://host:9000?passphrase=abc%0Adefghijk", "printable ASCII"],
  ["srt://host:9000?pbkeylen=16", "only meaningful with a passphrase"],
  ["srt://host:9000?passphrase=secretpassphrase&pbkeylen=20", "16, 24 or 32"],
  [`srt://host:9000?streamid=${"s".repeat(513)}`, '"streamid" must be 1 to 512'],
  ["srt://host:9000?streamid=%01abc", '"streamid" must be 1 to 512 printable ASCII'],
  ["srt://host:9000?mode=listener", "destinations are SRT listeners; Streamwell calls them"],
  ["srt://host:9000?mode=rendezvous", "destinations are SRT listeners"],
  ["srt://host:9000?foo=1", 'option "foo" is not supported'],
  ["srt://host:9000?transtype=file", 'option "transtype" is not supported'],
  ["srt://host:9000?Latency=200", 'option "Latency" is not supported'],
  ["srt://host:9000?latency=1&latency=2", '"latency" is given more than once'],
  ["srt://host:9000?latency=", '"latency" has an empty value'],
  ["srt://host:9000?streamid", '"streamid" has an empty value'],
  ["srt://host:9000?latency=1&", "stray '&'"],
  ["srt://host:9000?", "empty query"],
];

function errorOf(url: string): InvalidUrlError {
  try {
    parseDestinationUrl(url);
  } catch (error) {
    if (error instanceof InvalidUrlError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(url)} to be refused`);
}

describe("parseDestinationUrl", () => {
  it("has enough cases", () => {
    expect(good.length).toBeGreaterThanOrEqual(25);
    expect(bad.length).toBeGreaterThanOrEqual(35);
  });

  it.each(good)("accepts %s", (url, expected) => {
    expect(parseDestinationUrl(url)).toEqual(expected);
  });

  it.each(bad)("refuses %j", (url, fragment) => {
    const error = errorOf(url);
    expect(error.message).toContain(fragment);
    expect(error).toBeInstanceOf(ValidationFailedError);
    expect(error.name).toBe("InvalidUrlError");
    expect(error.fields).toEqual({ url: error.message });
  });

  it("never puts the passphrase, or the raw URL, in an error message", () => {
    const secret = "supersecret123";
    const urls = [
      `srt://host:9000?passphrase=${secret}&foo=1`,
      `srt://host:9000?passphrase=${secret}&mode=listener`,
      `srt://host:9000?passphrase=${secret}&pbkeylen=7`,
      `srt://host:9000?passphrase=${secret}&passphrase=${secret}`,
      `srt://host:9000?passphrase=${secret}&latency=x`,
      `srt://host:9000?passphrase=${secret}#frag`,
      `srt://host?passphrase=${secret}`,
      `srt://host:9000/path?passphrase=${secret}`,
      `srt://user:${secret}@host:9000`,
      `rtmp://host/live?passphrase=${secret}`,
      `rtmp://host/${secret}/x%`,
      `http://host/?passphrase=${secret}`,
      `srt://host:9000?passphrase=${secret} `,
      `srt://host:9000?streamid=${secret}%00`,
      `srt://host:9000?passphrase=${"x".repeat(80)}${secret}`,
    ];
    for (const url of urls) {
      const { message } = errorOf(url);
      expect(message).not.toContain(secret);
      expect(message).not.toContain(url);
    }
    for (const [url] of bad.filter(([url]) => url.includes("passphrase="))) {
      const value = new URLSearchParams(url.split("?")[1]).get("passphrase") ?? "";
      expect(errorOf(url).message).not.toContain(value);
    }
  });
});

describe("formatDestinationUrl", () => {
  it.each(good)("round-trips %s", (url) => {
    const target = parseDestinationUrl(url);
    const formatted = formatDestinationUrl(target);
    expect(parseDestinationUrl(formatted)).toEqual(target);
    expect(formatDestinationUrl(parseDestinationUrl(formatted))).toBe(formatted);
  });

  it.each([
    ["RTMP://Example.COM:1935/Live/", "rtmp://example.com/Live"],
    ["rtmps://host:443/app", "rtmps://host/app"],
    ["rtmps://host:1935/app", "rtmps://host:1935/app"],
    ["rtmp://[2001:DB8::1]:1940/live", "rtmp://[2001:db8::1]:1940/live"],
    ["srt://host:9000/?mode=caller", "srt://host:9000"],
    [
      "srt://host:9000?streamid=a+b&pbkeylen=16&passphrase=it's(a)*secret!&latency=0200",
      "srt://host:9000?latency=200&passphrase=it%27s%28a%29%2Asecret%21&pbkeylen=16&streamid=a%20b",
    ],
  ])("formats %s canonically as %s", (url, canonical) => {
    expect(formatDestinationUrl(parseDestinationUrl(url))).toBe(canonical);
  });

  it("redacts the passphrase on request", () => {
    const target = parseDestinationUrl("srt://host:9000?latency=200&passphrase=supersecret123&streamid=cam1");
    const redacted = formatDestinationUrl(target, { redact: true });
    expect(redacted).toBe("srt://host:9000?latency=200&passphrase=***&streamid=cam1");
    expect(redacted).not.toContain("supersecret123");
    expect(formatDestinationUrl(target, { redact: false })).toContain("passphrase=supersecret123");
    const plain = parseDestinationUrl("rtmp://host/live");
    expect(formatDestinationUrl(plain, { redact: true })).toBe("rtmp://host/live");
  });

  it("refuses hand-built targets that are not valid destinations", () => {
    const targets: DestinationTarget[] = [
      { kind: "rtmp", host: "host", port: 1935, app: "live?key=x" },
      { kind: "rtmp", host: "host", port: 1935, app: "" },
      { kind: "rtmp", host: "a.com/live", port: 1935, app: "x" },
      { kind: "rtmps", host: "host", port: 70000, app: "live" },
      { kind: "srt", host: "host", port: 9000, latencyMs: 1.5 },
      { kind: "srt", host: "host", port: 9000, passphrase: "short1" },
      { kind: "srt", host: "host", port: 9000, pbkeylen: 16 },
    ];
    for (const target of targets) {
      expect(() => formatDestinationUrl(target)).toThrow(InvalidUrlError);
    }
    try {
      formatDestinationUrl({ kind: "srt", host: "host", port: 9000, passphrase: "short1" });
    } catch (error) {
      expect((error as Error).message).not.toContain("short1");
    }
  });
});

describe("redactUrl", () => {
  it("redacts an SRT passphrase in an ffmpeg stderr line", () => {
    const line =
      "[srt @ 0x55] Connection to srt://127.0.0.1:9000?passphrase=supersecret123&latency=200000 failed: Input/output error";
    expect(redactUrl(line)).toBe(
      "[srt @ 0x55] Connection to srt://127.0.0.1:9000?passphrase=***&latency=200000 failed: Input/output error",
    );
  });

  it("redacts a userinfo password but cannot know a key in the path", () => {
    expect(redactUrl("rtmp://user:pw@host/live/streamkey123")).toBe("rtmp://user:***@host/live/streamkey123");
    expect(redactUrl("rtmp://user:p@ss:w@rd@host/live")).toBe("rtmp://user:***@host/live");
    expect(redactUrl("srt://:secretpw@host:9000")).toBe("srt://:***@host:9000");
  });

  it("redacts every secret-looking parameter, in any case, across several URLs", () => {
    const text =
      "a rtmps://h/x?key=k1&token=t1 b srt://h:1?PASSWORD=p1;pass=p2&secret=s1&auth=a1&streamid=cam1 " +
      "'http://u:pw@h/?Passphrase=p%26x#frag'";
    const out = redactUrl(text);
    expect(out).toBe(
      "a rtmps://h/x?key=***&token=*** b srt://h:1?PASSWORD=***;pass=***&secret=***&auth=***&streamid=cam1 " +
        "'http://u:***@h/?Passphrase=***#frag'",
    );
    for (const secret of ["k1", "t1", "p1", "p2", "s1", "a1", "p%26x", ":pw@"])
      expect(out).not.toContain(secret);
    expect(redactUrl(out)).toBe(out);
  });

  it("leaves ports, look-alike names and plain text alone", () => {
    const text =
      "srt://host:9000?latency=200&streamkey=x&mykey=y rtmp://host:1935/live user:pw@host key=value";
    expect(redactUrl(text)).toBe(text);
    expect(redactUrl("")).toBe("");
    expect(redactUrl("srt://host:9000?passphrase=&latency=1")).toBe("srt://host:9000?passphrase=&latency=1");
  });

  it("redacts formatted SRT URLs", () => {
    const formatted = formatDestinationUrl(parseDestinationUrl("srt://h:9000?passphrase=a%26b%3Dc%20defgh"));
    expect(formatted).toBe("srt://h:9000?passphrase=a%26b%3Dc%20defgh");
    // ffmpeg prints "<url>: <error>", so a colon followed by a space ends the value.
    expect(redactUrl(`Error opening output ${formatted}: I/O error`)).toBe(
      "Error opening output srt://h:9000?passphrase=***: I/O error",
    );
    expect(redactUrl(formatted)).toBe(formatDestinationUrl(parseDestinationUrl(formatted), { redact: true }));
  });
});
