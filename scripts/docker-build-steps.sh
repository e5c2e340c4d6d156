#!/bin/sh
# The build steps of the headless Docker image (Dockerfile), as a plain script so they can run,
# and be tested, without Docker (test/packaging/docker-steps.test.ts):
#
#   scripts/docker-build-steps.sh OUT [--deps install|copy] [--tools pinned|none] [--no-ui]
#
#   OUT            folder that becomes /app in the image
#   --deps install npm ci --omit=dev --omit=optional in OUT (Docker; needs the registry)
#   --deps copy    copy the production packages listed in package-lock.json from ./node_modules
#                  (offline; what the test uses)
#   --tools pinned ffmpeg, ffprobe, yt-dlp for linux-<arch> from build/binaries.json into OUT/bin
#                  (SHA-256 verified; needs the internet). none: the image installs Debian's.
#   --no-ui        skip the browser UI (`--ui`) build
set -eu
OUT=${1:?usage: scripts/docker-build-steps.sh OUT [--deps install|copy] [--tools pinned|none] [--no-ui]}
shift
DEPS=install
TOOLS=none
UI=1
while [ $# -gt 0 ]; do
  case $1 in
    --deps) DEPS=${2:?--deps needs install or copy}; shift 2 ;;
    --tools) TOOLS=${2:?--tools needs pinned or none}; shift 2 ;;
    --no-ui) UI=0; shift ;;
    *) echo "docker-build-steps: unknown argument $1" >&2; exit 2 ;;
  esac
done
cd "$(dirname "$0")/.."

rm -rf "$OUT"
mkdir -p "$OUT"
echo "docker-build-steps: bundling headless mode into $OUT"
npx vite build --config build/vite.headless.config.ts --outDir "$OUT" --logLevel warn
if [ "$UI" = 1 ]; then
  echo "docker-build-steps: building the browser UI"
  npx vite build --outDir "$OUT/dist/renderer" --emptyOutDir --logLevel warn
fi
cp package.json package-lock.json "$OUT/"

case $DEPS in
  install) (cd "$OUT" && npm ci --omit=dev --omit=optional --no-audit --no-fund) ;;
  copy) node scripts/copy-prod-deps.mjs "$OUT" ;;
  *) echo "docker-build-steps: --deps must be install or copy" >&2; exit 2 ;;
esac

case $TOOLS in
  pinned) node scripts/fetch-binaries.mjs --platform linux --arch "$(node -p process.arch)" --out "$OUT/bin" ;;
  none) ;;
  *) echo "docker-build-steps: --tools must be pinned or none" >&2; exit 2 ;;
esac
mkdir -p "$OUT/licenses"
cp -R resources/licenses/. "$OUT/licenses/"
echo "docker-build-steps: done ($OUT)"
