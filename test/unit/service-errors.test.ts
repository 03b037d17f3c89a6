// The server errors a client can act on keep their status, code and message at the REST edge: a
// full disk (507 storage_full) and a store away (503 unavailable). Anything else is a bare 500.
import { describe, expect, it } from "vitest";
import { StorageFullError } from "../../node/defs/errors.js";
import { StoreUnavailableError } from "../../node/store/store.js";
import { errorBody } from "../../services/api/errors.js";
import { toServiceError } from "../../services/errors.js";

const answer = (error: Error) => errorBody(toServiceError(error) as never);

describe("server errors at the REST edge", () => {
  it("a full disk answers 507 storage_full with a message that names the data dir", () => {
    const { status, body } = answer(new StorageFullError("store", { cause: new Error("SQLITE_FULL") }));
    expect(status).toBe(507);
    expect(body.error).toEqual({
      code: "storage_full",
      message: "store: the node's data dir is full (no space left on its disk); nothing was written",
    });
  });

  it("a store that cannot be reached answers 503 unavailable with its message", () => {
    const { status, body } = answer(new StoreUnavailableError("NATS KV: TIMEOUT"));
    expect(status).toBe(503);
    expect(body.error).toEqual({ code: "unavailable", message: "NATS KV: TIMEOUT" });
  });

  it("anything unexpected is 500 internal without its message", () => {
    const { status, body } = answer(new Error("SqliteError: disk I/O error at /data/streamwell.db"));
    expect(status).toBe(500);
    expect(body.error).toEqual({ code: "internal", message: "internal error" });
  });
});
