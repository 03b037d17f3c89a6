#!/bin/sh
# Makes the TLS files deploy/compose.yaml mounts for NATS, in ./tls (or the directory given):
#   ca.pem / ca.key     a private CA (keep ca.key offline once done; it signs nothing else)
#   server.pem / .key   the NATS servers' certificate, valid for nats-1, nats-2, nats-3, localhost
#                       and 127.0.0.1, as a server (clients) and as a client (cluster routes)
# Valid for 825 days. Run again to renew: the nodes trust ca.pem (STREAMWELL_NATS_TLS_CA).
set -eu
dir=${1:-tls}
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
  -subj "/CN=streamwell-nats-ca" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" \
  -keyout "$dir/ca.key" -out "$dir/ca.pem" 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=nats" \
  -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
cat > "$dir/server.ext" <<EXT
basicConstraints=critical,CA:FALSE
subjectAltName=DNS:nats-1,DNS:nats-2,DNS:nats-3,DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth,clientAuth
EXT
openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial \
  -days 825 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
rm -f "$dir/server.csr" "$dir/server.ext" "$dir/ca.srl"
# The containers read these as another user than yours: certificates world-readable, the key too
# (the directory is yours; mount it read-only). Tighten with chown to the container's user if you prefer.
chmod 0644 "$dir/ca.pem" "$dir/server.pem" "$dir/server.key"
echo "made $dir/ca.pem, $dir/server.pem, $dir/server.key"
