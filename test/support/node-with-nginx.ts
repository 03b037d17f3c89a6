// The set-up most integration files share: a real nginx-rtmp to push to, one node on free ports
// with a data dir of its own, and an admin logged in. `stop()` ends both processes (by PID, in
// their own helpers) and removes the data dir; a set-up that fails half-way stops what it started.
import { ApiClient } from "./api-client.js";
import { type NginxRtmp, startNginxRtmp } from "./nginx-rtmp.js";
import { ADMIN_PASSWORD, type NodeProcess, removeDataDir, startNode, tempDataDir } from "./node-process.js";

type NodeOptions = Parameters<typeof startNode>[0];

export interface NodeWithNginx {
  readonly nginx: NginxRtmp;
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

export async function startNodeWithNginx(
  options: {
    readonly nginx?: Parameters<typeof startNginxRtmp>[0];
    /**
     * startNode's options, or a function of the nginx started first that gives them (e.g. one that
     * starts a TLS terminator in front of it); the data dir is a fresh temp dir unless given.
     */
    readonly node?: Partial<NodeOptions> | ((nginx: NginxRtmp) => Promise<Partial<NodeOptions>>);
  } = {},
): Promise<NodeWithNginx> {
  const nginx = await startNginxRtmp(options.nginx);
  let dataDir: string | undefined;
  let node: NodeProcess | undefined;
  let admin: ApiClient | undefined;
  const stop = async (): Promise<void> => {
    await node?.stop();
    await nginx.stop();
    if (dataDir) removeDataDir(dataDir);
  };
  const start = async (nodeOptions: NodeOptions) => {
    node = await startNode(nodeOptions);
    admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    return { node, admin };
  };
  try {
    const given = typeof options.node === "function" ? await options.node(nginx) : options.node;
    dataDir = given?.dataDir ?? tempDataDir();
    const nodeOptions = { ...given, dataDir };
    await start(nodeOptions);
    return {
      nginx,
      get node() {
        return node as NodeProcess;
      },
      get admin() {
        return admin as ApiClient;
      },
      startNodeAgain: () => start(nodeOptions),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
