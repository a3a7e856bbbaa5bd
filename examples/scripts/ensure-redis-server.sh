#!/usr/bin/env bash
# Makes sure redis-server is installed, for the Redis example and its test (they start their own
# server on 127.0.0.1). Installs Debian's package when it can (as root, or with password-less
# sudo); otherwise says exactly what to run. The build calls this before the examples' tests.
set -euo pipefail
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
  exit 0
fi
install() {
  # the package's service is not needed: the example starts its own server
  DEBIAN_FRONTEND=noninteractive "$@" apt-get install -y -q --no-install-recommends redis-server >/dev/null \
    || { "$@" apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive "$@" apt-get install -y -q --no-install-recommends redis-server >/dev/null; }
}
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "installing redis-server (apt-get)"
  install env
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null && command -v apt-get >/dev/null; then
  echo "installing redis-server (sudo apt-get)"
  install sudo env
fi
if command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ]; then
  exit 0
fi
echo "redis-server is missing and could not be installed here: run 'apt-get install -y redis-server' as root" >&2
exit 1
