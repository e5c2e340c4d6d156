# Headless Twitch VOD Backup for servers and NAS boxes (no Electron, no display).
#
#   docker build -t twitch-vod-backup .
#   docker run -d --name tvb --restart unless-stopped -v tvb-data:/data twitch-vod-backup
#
# The container runs `headless --config /data/config.json --data /data`: put config.json (the app's
# settings format or the legacy config.json) and secrets.json (mode 0600) in the volume; the database,
# work folder and logs/engine.log go there too. Secrets may instead come as TVB_* variables
# (`docker run -e TVB_TWITCH_CLIENT_SECRET=…`); those are never written anywhere. See README "Docker".
#
# Build steps live in scripts/docker-build-steps.sh (tested without Docker). Tools: by default the
# pinned ffmpeg/ffprobe/yt-dlp of build/binaries.json (SHA-256 verified); `--build-arg TOOLS=debian`
# uses Debian's packages instead (older yt-dlp).
ARG NODE_IMAGE=node:22-bookworm-slim

FROM ${NODE_IMAGE} AS build
ARG TOOLS=pinned
# better-sqlite3 falls back to a source build when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ xz-utils unzip ca-certificates \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY . .
RUN sh scripts/docker-build-steps.sh /app --deps install --tools "$( [ "$TOOLS" = pinned ] && echo pinned || echo none )"

FROM ${NODE_IMAGE}
ARG TOOLS=pinned
RUN if [ "$TOOLS" = debian ]; then \
      apt-get update && apt-get install -y --no-install-recommends ffmpeg yt-dlp ca-certificates && rm -rf /var/lib/apt/lists/*; \
    else \
      apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*; \
    fi
COPY --from=build /app /app
ENV NODE_ENV=production PATH=/app/bin:$PATH
# A named volume takes the owner of the image's folder: the unprivileged user can write it.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
WORKDIR /data
USER node
ENTRYPOINT ["node", "/app/electron/engine/host/headless.js"]
CMD ["--config", "/data/config.json", "--data", "/data"]
