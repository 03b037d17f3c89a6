import { describe, expect, it } from "vitest";
import { natsEndpoint, redactNatsUrl } from "../../node/mesh/nats-endpoint.js";

describe("natsEndpoint", () => {
  it("takes user and password out of the URL", () => {
    expect(natsEndpoint("nats://streamwell:s%40cret@nats.example:4222")).toEqual({
      servers: ["nats://nats.example:4222"],
      user: "streamwell",
      pass: "s@cret",
      redacted: "nats://[redacted]@nats.example:4222",
    });
  });

  it("reads a user without a password as a token, and prefers STREAMWELL_NATS_TOKEN", () => {
    expect(natsEndpoint("nats://tok-1@a:4222").token).toBe("tok-1");
    expect(natsEndpoint("nats://tok-1@a:4222", { token: "tok-2" }).token).toBe("tok-2");
    expect(natsEndpoint("nats://a:4222", { token: "tok-2" })).toEqual({
      servers: ["nats://a:4222"],
      token: "tok-2",
      redacted: "nats://a:4222",
    });
  });

  it("keeps every server of a comma-separated list, with its scheme", () => {
    const endpoint = natsEndpoint("nats://u:p@a:4222, tls://b:4223,nats://c");
    expect(endpoint.servers).toEqual(["nats://a:4222", "tls://b:4223", "nats://c"]);
    expect(endpoint.redacted).toBe("nats://[redacted]@a:4222,tls://b:4223,nats://c");
  });
});

describe("redactNatsUrl", () => {
  it("hides credentials but keeps hosts and ports", () => {
    expect(redactNatsUrl("nats://user:pass@127.0.0.1:4222")).toBe("nats://[redacted]@127.0.0.1:4222");
    expect(redactNatsUrl("tls://token@host")).toBe("tls://[redacted]@host");
    expect(redactNatsUrl("nats://host:4222")).toBe("nats://host:4222");
  });
});
