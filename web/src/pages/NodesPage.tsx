// The nodes of the mesh (one on a single node). Polled: nodes send no events. Admins drain a node
// before maintenance (its restreams move to the others) and undrain it after.
import { useState } from "react";
import { api } from "../api/client";
import type { Me, NodeInfo } from "../api/types";
import { ErrorMessage } from "../components/ErrorMessage";
import { PageTitle } from "../components/PageTitle";
import { formatDuration } from "../format";
import { useInterval } from "../hooks/useInterval";
import { useResource } from "../hooks/useResource";

const POLL_MS = 5_000;

export function NodesPage({ me }: { me: Me }) {
  const nodes = useResource(api.nodes.list, "nodes");
  useInterval(nodes.reload, POLL_MS);
  const [error, setError] = useState<Error | undefined>(undefined);
  const admin = me.role === "admin";

  const toggle = async (node: NodeInfo) => {
    setError(undefined);
    try {
      await (node.draining ? api.nodes.undrain(node.id) : api.nodes.drain(node.id));
      nodes.reload();
    } catch (failure) {
      setError(failure as Error);
    }
  };

  return (
    <>
      <PageTitle title="Nodes">Nodes</PageTitle>
      <ErrorMessage error={nodes.error ?? error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Up for</th>
              <th scope="col">Ingests</th>
              <th scope="col">Restreams</th>
              <th scope="col">Playbacks</th>
              <th scope="col">Chain links</th>
              <th scope="col">Capacity</th>
              <th scope="col">Load</th>
              <th scope="col">Placements</th>
            </tr>
          </thead>
          <tbody>
            {nodes.data?.map((node) => (
              <tr key={node.id}>
                <th scope="row">{node.id}</th>
                <td>{formatDuration(node.uptimeSeconds)}</td>
                <td>{node.ingests}</td>
                <td>{node.actors.restream}</td>
                <td>{node.actors.playback}</td>
                <td>{node.actors.chain}</td>
                <td>{node.maxRestreams === 0 ? "no limit" : node.maxRestreams}</td>
                <td>{node.load.toFixed(2)}</td>
                <td>
                  {node.draining ? "Draining" : "Accepting"}
                  {admin && (
                    <>
                      {" "}
                      <button
                        type="button"
                        onClick={() => void toggle(node)}
                        aria-label={`${node.draining ? "Undrain" : "Drain"} ${node.id}`}
                      >
                        {node.draining ? "Undrain" : "Drain"}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
