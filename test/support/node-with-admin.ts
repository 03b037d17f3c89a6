// One node on free ports with a data dir of its own and the admin logged in: the set-up of most
// API tests (startNodeWithNginx adds a destination server to it). `stop()` ends the node (by PID,
// in startNode's helper) and removes the data dir; a set-up that fails half-way stops what it
// started.
import { ApiClient } from "./api-client.js";
import { ADMIN_PASSWORD, type NodeProcess, removeDataDir, startNode, tempDataDir } from "./node-process.js";

export type NodeOptions = Parameters<typeof startNode>[0];

export interface NodeWithAdmin {
  /** The node running now (startNodeAgain() replaces it). */
  readonly node: NodeProcess;
  readonly admin: ApiClient;
  /**
   * Starts the node again on the same data dir with the same options, once the test has stopped
   * it (a restart, a SIGKILL), and logs the admin in again.
   */
  startNodeAgain(): Promise<{ node: NodeProcess; admin: ApiClient }>;
  stop(): Promise<void>;
}

/** startNode's options; the data dir is a fresh temp dir unless given. */
export async function startNodeWithAdmin(options: Partial<NodeOptions> = {}): Promise<NodeWithAdmin> {
  const nodeOptions = { ...options, dataDir: options.dataDir ?? tempDataDir() };
  let node: NodeProcess | undefined;
  let admin: ApiClient | undefined;
  const stop = async (): Promise<void> => {
    await node?.stop();
    removeDataDir(nodeOptions.dataDir);
  };
  const start = async () => {
    node = await startNode(nodeOptions);
    admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    return { node, admin };
  };
  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    get node() {
      return node as NodeProcess;
    },
    get admin() {
      return admin as ApiClient;
    },
    startNodeAgain: start,
    stop,
  };
}
