// The CA certificates both restream engines trust for RTMPS: ffmpeg reads the file itself
// (-ca_file), the native engine hands its certificates to node:tls (`ca`), so neither trusts a
// root the other does not (Node's bundled roots are not used). STREAMWELL_CA_FILE names the file.
import { readFileSync } from "node:fs";

/** Debian's and Alpine's bundle of the system's trusted roots (update-ca-certificates writes it). */
export const SYSTEM_CA_FILE = "/etc/ssl/certs/ca-certificates.crt";

const cache = new Map<string, string>();

/** The PEM text of `path`, read once per process (a changed file needs a restart, as for ffmpeg's children it does not). */
export function readCaFile(path: string): string {
  let pem = cache.get(path);
  if (pem === undefined) {
    pem = readFileSync(path, "utf8");
    cache.set(path, pem);
  }
  return pem;
}
