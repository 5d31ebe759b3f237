#!/usr/bin/env bash
# Brings up the servers the integration tests use, on a machine of this project's kind (node-svc),
# where they are installed: NATS with JetStream on 4222, Redis on 6379, PostgreSQL on 5432 (trust
# auth, database "test"). A server already running is left alone; none is ever stopped. Also
# installs Debian's chromium for the browser test, and jq, openssl and curl for the offline
# verification test, when they are missing.
set -euo pipefail

up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_up() {
  for _ in $(seq 1 60); do up "$1" && return 0; sleep 0.5; done
  echo "$2 did not come up on port $1" >&2
  return 1
}

if ! up 4222; then
  echo "starting NATS (JetStream) on 4222"
  mkdir -p /var/lib/nats-server
  start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- \
    -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log
  wait_up 4222 NATS
fi

if ! up 6379; then
  echo "starting Redis on 6379"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_up 6379 Redis
fi

if ! up 5432; then
  echo "starting PostgreSQL on 5432"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  wait_up 5432 PostgreSQL
fi

# The tests connect as postgres to the database "test" and create one database per test file.
if ! psql -h 127.0.0.1 -U postgres -d test -tAc "SELECT 1" >/dev/null 2>&1; then
  psql -h 127.0.0.1 -U postgres -d postgres -tAc "CREATE DATABASE test" >/dev/null
fi
echo "NATS, Redis and PostgreSQL are up"

# Browser tests drive Debian's Chromium (playwright-core, no browser download): install it once.
if ! command -v chromium >/dev/null 2>&1; then
  echo "installing Debian's chromium for the browser tests"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium >/dev/null; }
fi

# The public-verification test follows the README's offline recipe with independent tools: jq for
# the canonical JSON, OpenSSL for SM2/SM3, curl for the keys. Install any that is missing.
missing=()
for tool in jq openssl curl; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]} for the offline verification test"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null \
    || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
fi
