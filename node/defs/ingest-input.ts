// A channel's two inputs: the primary stream key, and (with `backup` on) a second key for a backup
// encoder. Both may publish at once; the primary feeds the channel while it is healthy.

export const INGEST_INPUTS = ["primary", "backup"] as const;

export type IngestInput = (typeof INGEST_INPUTS)[number];

/**
 * Whether a node whose publishers hold `inputs` of a channel feeds the channel's hub on another
 * node (whose own publishers hold `hubInputs`) over an input link, instead of taking the channel
 * over: both are inputs of a channel with a backup, and they are different inputs. The same input
 * on a second node is a publisher that reconnected there: the newest wins, as without a backup.
 */
export function feedsHub(
  hubInputs: readonly IngestInput[] | undefined,
  inputs: readonly IngestInput[] | undefined,
): boolean {
  if (hubInputs === undefined || inputs === undefined || inputs.length === 0) return false;
  return inputs.every((input) => !hubInputs.includes(input));
}
