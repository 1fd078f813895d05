#!/usr/bin/env bash
# Installs the real servers and browser the exporters' tests run against, from Debian's
# packages, when they are missing: Prometheus and its Pushgateway, InfluxDB 1.x, Chromium
# and PostgreSQL (its server binaries; the history tests start their own on a free port). The tests start each on a free loopback port in a temporary directory.
set -euo pipefail
needed=()
command -v prometheus >/dev/null || needed+=(prometheus)
command -v prometheus-pushgateway >/dev/null || needed+=(prometheus-pushgateway)
command -v influxd >/dev/null || needed+=(influxdb)
command -v chromium >/dev/null || needed+=(chromium)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || needed+=(postgresql)
if [ ${#needed[@]} -eq 0 ]; then
  echo "test services: prometheus, prometheus-pushgateway, influxd, chromium and postgresql are installed"
  exit 0
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
echo "test services: installing ${needed[*]} (Debian packages)"
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${needed[@]}" >/dev/null
