// A node's runtime built in the test process (for brokers on Moleculer's Fake transporter): loopback,
// port 0 everywhere, its own data dir under `dataDir`, the shared sealed store of the test.
import { loadConfig } from "../../node/config/load.js";
import { createLogger } from "../../node/kit/log.js";
import { createRuntime, type OpenedStore, type Runtime } from "../../node/runtime.js";

export function inProcessRuntime(nodeId: string, dataDir: string, opened: OpenedStore): Runtime {
  const config = loadConfig({
    STREAMWELL_NODE_ID: nodeId,
    STREAMWELL_HTTP_PORT: "0",
    STREAMWELL_RTMP_PORT: "0",
    STREAMWELL_BIND_HOST: "127.0.0.1",
    STREAMWELL_PUBLIC_HOST: "127.0.0.1",
    STREAMWELL_LOG_LEVEL: "warn",
    STREAMWELL_DATA_DIR: `${dataDir}/${nodeId}`,
  });
  return createRuntime(config, createLogger(config.logLevel, { node: nodeId }), opened);
}
