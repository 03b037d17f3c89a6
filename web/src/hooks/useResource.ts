// Loads something from the API, keeps it, and lets live events patch it in place. A reload can be
// answered after an event that is newer than what it read: `keep` chooses between the two.
import { type Dispatch, type SetStateAction, useCallback, useEffect, useState } from "react";
import { ApiError } from "../api/client";
import { useResync } from "./useLive";

export interface Resource<T> {
  readonly data: T | undefined;
  readonly error: ApiError | undefined;
  readonly reload: () => void;
  readonly setData: Dispatch<SetStateAction<T | undefined>>;
}

export function useResource<T>(
  load: () => Promise<T>,
  key: string,
  keep: (held: T | undefined, loaded: T) => T = (_held, loaded) => loaded,
): Resource<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<ApiError>();
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `key` names what `load` loads; generation reloads
  useEffect(() => {
    let current = true;
    load().then(
      (value) => {
        if (!current) return;
        setData((held) => keep(held, value));
        setError(undefined);
      },
      (reason: unknown) => {
        if (current)
          setError(reason instanceof ApiError ? reason : new ApiError(0, "unknown", String(reason)));
      },
    );
    return () => {
      current = false;
    };
  }, [key, generation]);

  useResync(reload);
  return { data, error, reload, setData };
}
