#!/usr/bin/env bash
# Gives this shell the project's Node.js, taken from the npm registry's
# official binary packages (node-<os>-<arch>, with bin/node and the headers),
# so a machine with an older Node needs nothing else:
#
#   eval "$(scripts/use-node.sh)"        # the version in .nvmrc (Node 24 LTS)
#   eval "$(scripts/use-node.sh 22)"     # latest cached 22.x, else the registry's
#
# It prints `export` lines (PATH with that Node's bin/ first, and
# npm_config_nodedir so native modules such as better-sqlite3 build against
# its headers); progress goes to stderr. Unpacked once per version into
# $XMONITOR_NODE_CACHE, default ~/.cache/xmonitor-ops/node (owned by the
# user who runs it, outside the clone: a fresh clone reuses it).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
say() { echo "[use-node] $*" >&2; }

wanted="${1:-$(tr -d ' \tv\r\n' <"$root/.nvmrc")}"
wanted="${wanted#v}"
if ! [[ "$wanted" =~ ^[0-9]+(\.[0-9]+\.[0-9]+)?$ ]]; then
  say "expected a major (24) or an exact version (24.22.3), got '$wanted'"
  exit 2
fi

case "$(uname -s)" in
  Linux) os=linux ;;
  Darwin) os=darwin ;;
  *) say "no Node package for $(uname -s): install Node $wanted yourself" && exit 1 ;;
esac
case "$(uname -m)" in
  x86_64 | amd64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) say "no Node package for $(uname -m): install Node $wanted yourself" && exit 1 ;;
esac
package="node-$os-$arch"

if [ -n "${XMONITOR_NODE_CACHE:-}" ]; then
  cache="$XMONITOR_NODE_CACHE"
elif [ -n "${XDG_CACHE_HOME:-}" ]; then
  cache="$XDG_CACHE_HOME/xmonitor-ops/node"
elif [ -n "${HOME:-}" ] && [ -d "$HOME" ] && [ -w "$HOME" ]; then
  cache="$HOME/.cache/xmonitor-ops/node"
else
  cache="$root/.cache/node" # gitignored
fi
mkdir -p "$cache"

# An exact version is looked up as is; a major takes the newest one cached.
if [[ "$wanted" == *.* ]]; then
  dir="$cache/v$wanted-$os-$arch"
else
  dir="$(find "$cache" -mindepth 1 -maxdepth 1 -type d -name "v$wanted.*-$os-$arch" | sort -V | tail -n 1)"
fi

if [ -z "$dir" ] || [ ! -x "$dir/bin/node" ]; then
  command -v npm >/dev/null 2>&1 || {
    say "npm is needed once to fetch $package@$wanted"
    exit 1
  }
  say "fetching $package@$wanted from the npm registry (about 50 MB, once)"
  work="$(mktemp -d "$cache/.fetch.XXXXXX")"
  trap 'rm -rf "$work"' EXIT
  # npm pack checks the tarball against the registry's integrity hash.
  (cd "$work" && npm pack --silent "$package@$wanted" >/dev/null)
  mkdir "$work/unpacked"
  tar -xzf "$work"/"$package"-*.tgz -C "$work/unpacked" --strip-components=1
  version="$("$work/unpacked/bin/node" -p 'process.versions.node')"
  dir="$cache/v$version-$os-$arch"
  # Another run may have unpacked the same version meanwhile: keep the first.
  mv -T "$work/unpacked" "$dir" 2>/dev/null || [ -x "$dir/bin/node" ]
  rm -rf "$work"
  trap - EXIT
fi

version="$("$dir/bin/node" -p 'process.version')"
say "Node $version from $package (cached in $dir)"
printf 'export PATH=%q:"$PATH"\n' "$dir/bin"
printf 'export npm_config_nodedir=%q\n' "$dir"
