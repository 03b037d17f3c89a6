// A throwaway certificate authority for loopback TLS (nats-server in tests and `npm run mesh`):
// openssl makes a CA and, on demand, certificates it signs for 127.0.0.1 and localhost, usable
// both as a server's and as a client's. Everything lives in the directory given; its owner removes it.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const OPENSSL_TIMEOUT_MS = 30_000;
const EC_KEY = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
const LEAF_EXTENSIONS = [
  "basicConstraints=critical,CA:FALSE",
  "subjectAltName=DNS:localhost,IP:127.0.0.1",
  "extendedKeyUsage=serverAuth,clientAuth",
].join("\n");

export interface KeyPair {
  /** PEM certificate file. */
  readonly certFile: string;
  /** PEM private key file. */
  readonly keyFile: string;
}

export interface CertificateAuthority {
  /** The CA's certificate (PEM): what clients and servers trust. */
  readonly caFile: string;
  /** A certificate for 127.0.0.1 and localhost, signed by the CA, named `name` (CN). */
  issue(name: string): Promise<KeyPair>;
}

const openssl = (args: readonly string[]) =>
  promisify(execFile)("openssl", args, { timeout: OPENSSL_TIMEOUT_MS });

export async function makeCertificateAuthority(dir: string): Promise<CertificateAuthority> {
  const caFile = join(dir, "ca.pem");
  const caKey = join(dir, "ca.key");
  await openssl([
    ...["req", "-x509", ...EC_KEY, "-days", "2", "-subj", "/CN=streamwell-throwaway-ca"],
    ...["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ...["-keyout", caKey, "-out", caFile],
  ]);
  const extensions = join(dir, "leaf.ext");
  writeFileSync(extensions, `${LEAF_EXTENSIONS}\n`);
  return {
    caFile,
    async issue(name) {
      const keyFile = join(dir, `${name}.key`);
      const certFile = join(dir, `${name}.pem`);
      const request = join(dir, `${name}.csr`);
      await openssl(["req", "-new", ...EC_KEY, "-subj", `/CN=${name}`, "-keyout", keyFile, "-out", request]);
      await openssl([
        ...["x509", "-req", "-in", request, "-CA", caFile, "-CAkey", caKey, "-CAcreateserial"],
        ...["-days", "2", "-extfile", extensions, "-out", certFile],
      ]);
      return { certFile, keyFile };
    },
  };
}
