#!/usr/bin/env bash
# Installs what the suite needs on a fresh machine, and says clearly what it cannot install.
# Used by both README commands (npm start, npm test). Idempotent: fast when all is there.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[ensure-deps] %s\n' "$*"; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

apt_updated=0
apt_install() {
  if ! command -v apt-get >/dev/null; then
    say "cannot install $* automatically (no apt-get): install it and run again"; exit 1
  fi
  if [[ $apt_updated -eq 0 ]]; then as_root apt-get update -qq >/dev/null; apt_updated=1; fi
  say "installing $* with apt-get"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

# Node dependencies: install when missing or when the lockfile's content changed since the last
# install (by content, not date: a checkout or a new worktree touches the file without changing it).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f node_modules/.package-lock.json || "$(cat node_modules/.suite-lockfile-sha256 2>/dev/null)" != "$lock_hash" ]]; then
  say "installing npm dependencies"
  export ONNXRUNTIME_NODE_INSTALL_CUDA=skip
  # The lockfile lists only the platform packages the registry serves (no macOS/Windows builds of
  # native modules), which newer npm's `ci` refuses as "out of sync"; `install --no-save` installs
  # the same locked versions without rewriting the lockfile.
  if ! npm ci --no-audit --no-fund --loglevel=error 2>/dev/null; then
    npm install --no-audit --no-fund --no-save --loglevel=error
  fi
  echo "$lock_hash" > node_modules/.suite-lockfile-sha256
fi

command -v redis-server >/dev/null || apt_install redis-server redis-tools
command -v python3 >/dev/null || apt_install python3

jar="${FIRESTORE_EMULATOR_JAR:-/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud-firestore-emulator.jar}"
if [[ ! -f "$jar" ]]; then
  say "the Firestore emulator jar is missing ($jar)."
  say "Install the package google-cloud-cli-firestore-emulator (Google Cloud CLI) with a Java 17 runtime,"
  say "or set FIRESTORE_EMULATOR_JAR to the path of cloud-firestore-emulator.jar."
  exit 1
fi
command -v java >/dev/null || apt_install openjdk-17-jre-headless
exit 0
