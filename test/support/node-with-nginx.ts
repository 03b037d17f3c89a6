// The set-up most integration files share: a real nginx-rtmp to push to, one node on free ports
// with a data dir of its own, and an admin logged in. `stop()` ends both processes (by PID, in
// their own helpers) and removes the data dir; a set-up that fails half-way stops what it started.
import { ApiClient } from "./api-client.js";
import { type NginxRtmp, startNginxRtmp } from "./nginx-rtmp.js";
import { ADMIN_PASSWORD, type NodeProcess, removeDataDir, startNode, tempDataDir } from "./node-process.js";

type NodeOptions = Parameters<typeof startNode>[0];

export interface NodeWithNginx {
  readonly nginx: NginxRtmp;
  readonly node: NodeProcess;
  readonly admin: ApiClient;
  stop(): Promise<void>;
}

export async function startNodeWithNginx(
  options: {
    readonly nginx?: Parameters<typeof startNginxRtmp>[0];
    /** startNode's options; the data dir is a fresh temp dir unless given. */
    readonly node?: Partial<NodeOptions>;
  } = {},
): Promise<NodeWithNginx> {
  const nginx = await startNginxRtmp(options.nginx);
  const dataDir = options.node?.dataDir ?? tempDataDir();
  let node: NodeProcess | undefined;
  const stop = async (): Promise<void> => {
    await node?.stop();
    await nginx.stop();
    removeDataDir(dataDir);
  };
  try {
    node = await startNode({ ...options.node, dataDir });
    const admin = await new ApiClient(node.baseUrl).login("admin", ADMIN_PASSWORD);
    return { nginx, node, admin, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
