# Streamwell node image: Debian (bookworm) with Node.js 20 and Debian's ffmpeg, run as an unprivileged
# user, state in the /var/lib/streamwell volume. Build from the repository root:
#   docker build -t streamwell:local .
# How to run a mesh with it: docs/deploy.md (deploy/compose.yaml).

# --- build: compile the node (tsc) and the web UI (vite) with the dev dependencies -------------------
FROM node:20-bookworm AS build
# libsrt: the Remote Playback listener (node/playback/srt-fanout.c) links against the one ffmpeg uses.
RUN apt-get update && apt-get install -y --no-install-recommends libsrt1.5-gnutls && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json biome.json ./
COPY bin bin
COPY node node
COPY services services
COPY bench bench
COPY web web
COPY scripts scripts
# setup.mjs "build": tsc, then the web UI's API types and `vite build` into dist/web (no apt, no npm ci).
RUN node scripts/setup.mjs build && npm prune --omit=dev

# --- run: only what the node needs at run time ---------------------------------------------------------
FROM node:20-bookworm-slim
# ffmpeg: the relays, SRT listeners and chain links; ca-certificates: STREAMWELL_CA_FILE (RTMPS destinations).
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 streamwell \
 && useradd --system --uid 10001 --gid streamwell --home-dir /var/lib/streamwell --shell /usr/sbin/nologin streamwell \
 && install -d -o streamwell -g streamwell -m 0700 /var/lib/streamwell \
 && printf '#!/bin/sh\nexec node /opt/streamwell/dist/bin/streamwell.js "$@"\n' > /usr/local/bin/streamwell \
 && chmod 0755 /usr/local/bin/streamwell
WORKDIR /opt/streamwell
COPY --from=build /src/package.json ./package.json
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
ENV NODE_ENV=production \
    STREAMWELL_DATA_DIR=/var/lib/streamwell \
    STREAMWELL_HTTP_PORT=8080 \
    STREAMWELL_RTMP_PORT=1935
# The secret key file (secret.key), the SQLite store of a single node and admin-password live here.
VOLUME ["/var/lib/streamwell"]
USER streamwell:streamwell
# HTTP (API, UI, /metrics, /healthz, /readyz), RTMP, RTMPS; SRT is a UDP range (STREAMWELL_SRT_PORTS).
EXPOSE 8080/tcp 1935/tcp 1936/tcp 9000-9199/udp
# Ready = the store answers and the RTMP ingest listens (GET /readyz), on whatever HTTP port is set.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.STREAMWELL_HTTP_PORT||8080}/readyz`,{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
STOPSIGNAL SIGTERM
# `streamwell` starts a node; `streamwell backup` / `streamwell restore` (docs/deploy.md, "Operations").
CMD ["streamwell"]
