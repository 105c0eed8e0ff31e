#!/usr/bin/env bash
# Builds the demo service images locally, without any registry: the host's
# Node.js binary and its libraries go into a root filesystem that
# `docker import` turns into a base image, and each tag adds its settings.
#   resilience-demo:v1, :v2        healthy versions
#   resilience-demo:v3-crash       exits at start
#   resilience-demo:v3-unhealthy   health endpoint answers 503
#   resilience-demo:v3-failing     answers 500 to every request
#   resilience-demo:v3-slow        adds 500 ms to every request
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
docker=${DOCKER:-docker}
repo=${DEMO_IMAGE_REPO:-resilience-demo}

if ! "$docker" image inspect "$repo:base" >/dev/null 2>&1 ||
  [ "$("$docker" image inspect -f '{{index .Config.Labels "demo.server.sha256"}}' "$repo:base")" != "$(sha256sum "$here/server.js" | cut -c1-64)" ]; then
  root=$(mktemp -d)
  trap 'rm -rf "$root"' EXIT
  node_bin=$(readlink -f "$(command -v node)")
  mkdir -p "$root/usr/bin" "$root/app" "$root/tmp" "$root/etc"
  cp "$node_bin" "$root/usr/bin/node"
  # The dynamic loader and every library node links against.
  ldd "$node_bin" | grep -o '/[^ ]*' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp "$here/server.js" "$root/app/server.js"
  echo '{"type":"module"}' >"$root/app/package.json"
  echo 'root:x:0:0:root:/root:/bin/false' >"$root/etc/passwd"
  echo 'nobody:x:65534:65534:nobody:/:/bin/false' >>"$root/etc/passwd"
  tar -C "$root" -c . | "$docker" import \
    --change 'CMD ["/usr/bin/node", "/app/server.js"]' \
    --change 'WORKDIR /app' \
    --change 'ENV PORT=8080' \
    --change 'ENV HOST=0.0.0.0' \
    --change "LABEL demo.server.sha256=$(sha256sum "$here/server.js" | cut -c1-64)" \
    - "$repo:base" >/dev/null
fi

tag() {
  local name=$1
  shift
  local changes=()
  for setting in "$@"; do changes+=("ENV $setting"); done
  local log
  log=$(printf 'FROM %s:base\n%s\n' "$repo" "$(printf '%s\n' "${changes[@]}")" |
    DOCKER_BUILDKIT=0 "$docker" build -q -t "$repo:$name" - 2>&1) || {
    echo "building $repo:$name failed: $log" >&2
    return 1
  }
}
tag v1 DEMO_VERSION=v1
tag v2 DEMO_VERSION=v2
tag v3-crash DEMO_VERSION=v3 DEMO_MODE=crash
tag v3-unhealthy DEMO_VERSION=v3 DEMO_MODE=unhealthy
tag v3-failing DEMO_VERSION=v3 DEMO_MODE=failing
tag v3-slow DEMO_VERSION=v3 DEMO_MODE=slow
echo "built $repo: base v1 v2 v3-crash v3-unhealthy v3-failing v3-slow"
