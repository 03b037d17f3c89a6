// The set-up of the media tests: a real nginx-rtmp to push to, and one node on free ports with a
// data dir of its own and the admin logged in (startNodeWithAdmin). `stop()` ends both processes
// (by PID, in their own helpers) and removes the data dir; a set-up that fails half-way stops what
// it started.
import { type NginxRtmp, startNginxRtmp } from "./nginx-rtmp.js";
import { type NodeOptions, type NodeWithAdmin, startNodeWithAdmin } from "./node-with-admin.js";

export interface NodeWithNginx extends NodeWithAdmin {
  readonly nginx: NginxRtmp;
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
  try {
    const given = typeof options.node === "function" ? await options.node(nginx) : options.node;
    const withAdmin = await startNodeWithAdmin(given);
    return {
      nginx,
      get node() {
        return withAdmin.node;
      },
      get admin() {
        return withAdmin.admin;
      },
      startNodeAgain: () => withAdmin.startNodeAgain(),
      stop: async () => {
        await withAdmin.stop();
        await nginx.stop();
      },
    };
  } catch (error) {
    await nginx.stop();
    throw error;
  }
}
