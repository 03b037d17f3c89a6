// "In use by": the names of the restreams that push to a destination (admins may read any).
import { useEffect, useState } from "react";
import { api } from "../../api/client";

export function UsedBy({ ids }: { readonly ids: readonly string[] }) {
  const [names, setNames] = useState<readonly string[]>();
  const key = ids.join(",");

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` stands for the ids' contents
  useEffect(() => {
    let current = true;
    Promise.all(
      ids.map((id) =>
        api.restreams.get(id).then(
          (restream) => restream.name,
          () => id,
        ),
      ),
    ).then((resolved) => current && setNames(resolved));
    return () => {
      current = false;
    };
  }, [key]);

  if (ids.length === 0) return <p className="hint">Not in use.</p>;
  return (
    <p>
      In use by {ids.length} restream{ids.length === 1 ? "" : "s"}: {(names ?? ids).join(", ")}
    </p>
  );
}
