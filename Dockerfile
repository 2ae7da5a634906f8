# syntax=docker/dockerfile:1
# vecron reference server: `vecron all | api | scheduler | worker | migrate | …`.
# Build from the repository root:
#   docker build -t vecron .
#   podman build --format docker -t vecron .      (--format docker keeps the HEALTHCHECK)
# Where the base image cannot be pulled, deploy/image/build-base-image.sh builds a local stand-in
# with the same name from the host's Node.js 20. docs/deploy.md explains the image.
ARG NODE_IMAGE=docker.io/library/node:20-bookworm-slim

# ---- build: install the workspace, bundle the packages, keep only the server's production tree
FROM ${NODE_IMAGE} AS build
ENV CI=true
WORKDIR /src
RUN npm install --global --no-fund --no-audit --loglevel=error pnpm@12.4.2
COPY . .
# The pnpm store is a build cache: a rebuild after a source change downloads nothing. The
# packages are bundled without type declarations (a server image runs them, nothing compiles
# against them).
RUN --mount=type=cache,id=vecron-pnpm-store,target=/pnpm/store \
    pnpm install --frozen-lockfile --store-dir /pnpm/store \
 && pnpm --filter "@vecron/server..." --filter "!@vecron/test-servers" exec tsup --no-dts \
 && pnpm --filter @vecron/server deploy --prod --store-dir /pnpm/store /rootfs/opt/vecron \
 && mkdir -p /rootfs/usr/local/bin /rootfs/var/lib/vecron /rootfs/etc/vecron \
 && ln -s /opt/vecron/dist/cli.js /rootfs/usr/local/bin/vecron \
 && chmod 0755 /rootfs/opt/vecron/dist/cli.js \
 && chown 1000:0 /rootfs/var/lib/vecron && chmod 0700 /rootfs/var/lib/vecron

# ---- runtime: Node.js and the server's files only, as an unprivileged user
FROM ${NODE_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="vecron" \
      org.opencontainers.image.description="vecron reference server: REST API, scheduler, workers and dashboard of the vecron job scheduler" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/vecron/vecron" \
      org.opencontainers.image.documentation="https://github.com/vecron/vecron/blob/main/docs/deploy.md" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"
COPY --from=build /rootfs/ /
# In a container the API and /metrics listen on every interface; the embedded store (when no
# database_url is set) lives in the volume. Everything else: config files in /etc/vecron or
# VECRON__SECTION__KEY variables (docs/configuration.md).
ENV NODE_ENV=production \
    VECRON_CONFIG_DIR=/etc/vecron \
    VECRON__API__HOST=0.0.0.0 \
    VECRON__METRICS__HOST=0.0.0.0 \
    VECRON__STORAGE__DATA_DIR=/var/lib/vecron
USER 1000:1000
WORKDIR /var/lib/vecron
VOLUME ["/var/lib/vecron"]
EXPOSE 3000 9464
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 CMD ["vecron", "healthcheck"]
ENTRYPOINT ["vecron"]
CMD ["all"]
