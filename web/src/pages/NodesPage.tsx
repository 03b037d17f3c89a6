// The nodes of the mesh (one on a single node). Polled: nodes send no events.
import { api } from "../api/client";
import { ErrorMessage } from "../components/ErrorMessage";
import { PageTitle } from "../components/PageTitle";
import { formatDuration } from "../format";
import { useInterval } from "../hooks/useInterval";
import { useResource } from "../hooks/useResource";

const POLL_MS = 5_000;

export function NodesPage() {
  const nodes = useResource(api.nodes.list, "nodes");
  useInterval(nodes.reload, POLL_MS);

  return (
    <>
      <PageTitle title="Nodes">Nodes</PageTitle>
      <ErrorMessage error={nodes.error} />
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
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
