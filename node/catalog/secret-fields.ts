// Which fields of the stored records are secrets, sealed at rest by the store decorator
// (store/sealed-store.ts): every stream key and SRT passphrase, and the URLs that may carry a
// passphrase or stream id (SRT destinations, SRT Push). Another record kind with a secret (a
// webhook's signing secret) adds its prefix here.
import type { SecretFields } from "../store/sealed-store.js";
import { keys } from "./records.js";

export const SECRET_FIELDS: SecretFields = {
  [keys.channels]: ["streamKey", "backupStreamKey", "srt.passphrase", "srtBackup.passphrase"],
  [keys.destinations]: ["url"],
  // destination: streamKey; srt_push: url; remote_playback: passphrase.
  [keys.restreams]: ["streamKey", "url", "passphrase"],
  [keys.chains]: ["passphrase"],
  [keys.webhooks]: ["secret"],
};
