#!/usr/bin/env bash
# Installs what the tests use, once: Debian packages (real Kafka clients and codecs to check
# against, the AOT toolchain) and npm packages into tests/node. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(kcat python3-kafka python3-snappy python3-lz4 python3-xxhash python3-zstandard clang zlib1g-dev)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -f tests/node/package.json ] && [ ! -d tests/node/node_modules ]; then
  echo "installing npm packages in tests/node"
  (cd tests/node && npm install --no-audit --no-fund --silent)
fi

dotnet restore Samsa.slnx -v quiet
