// What one user may take (config defaults; admins set a user's own with PATCH /users/:id
// {quotas}) and where SRT Push may send. schema.ts spreads these in.
import { z } from "zod";
import { parseCidrs } from "../urls/target-policy.js";

const QUOTA_MESSAGE = "must be a whole number >= 0 (0: no limit)";
const quota = (fallback: number) =>
  z.coerce.number({ error: QUOTA_MESSAGE }).int(QUOTA_MESSAGE).min(0, QUOTA_MESSAGE).default(fallback);

export const limitsFields = {
  /** Channels a user (not an admin) may own. */
  quotaChannels: quota(0),
  /** Restreams on a user's channels. */
  quotaRestreams: quota(0),
  /** SRT ports a user's channels hold: SRT ingests and Remote Playbacks (chain links need the rest). */
  quotaSrtPorts: quota(10),
  /** CIDRs SRT Push may send to although they are loopback, private or link-local ("127.0.0.0/8,::1/128"). */
  srtPushAllow: z
    .string()
    .default("")
    .transform((text, ctx) => {
      try {
        return parseCidrs(text);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
};
