#!/usr/bin/env bash
# HermiT (through owlready2) needs a Java runtime; install Debian's if the machine has none.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  exit 0
fi
echo "java not found: installing default-jre-headless / 未找到 java，正在安装" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends default-jre-headless
java -version
