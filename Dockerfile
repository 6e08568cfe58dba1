# AICMO Gateway: a multi-stage image. The first stage installs the dependencies (better-sqlite3 is
# compiled when no prebuilt binary can be fetched), builds dist/ and drops the dev dependencies;
# the second runs the CLI as the unprivileged `node` user with the SQLite store on the /data volume.
#
#   docker build -t aicmo-gateway .
#   docker run -p 8080:8080 -v aicmo-data:/data -e GATEWAY_API_KEY=... aicmo-gateway
#
# NODE_IMAGE: any Debian-based image with Node.js 20, npm and Node's headers under $NODEDIR.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG NODEDIR=/usr/local
WORKDIR /app
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
# Scripts off: `prepare` would build before the sources are here; better-sqlite3 is built next,
# against the headers of the image's own Node.js (nothing fetched from nodejs.org).
RUN npm ci --no-audit --no-fund --ignore-scripts \
  && npm rebuild better-sqlite3 --nodedir="$NODEDIR"
COPY tsconfig.base.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    GATEWAY_CONFIG=/etc/aicmo-gateway/gateway.yaml
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY deploy/gateway.yaml /etc/aicmo-gateway/gateway.yaml
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
# Liveness only: /healthz never depends on providers (/readyz does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8080/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["serve", "--log-format", "json"]
