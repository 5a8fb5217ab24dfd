#!/usr/bin/env bash
# The bulk loader preloads mimalloc (kg/bulkload.py): glibc's malloc halves its speed on two cores.
# Install Debian's if the machine has none; without it the loader still works, only slower.
set -euo pipefail
if /sbin/ldconfig -p | grep -q 'libmimalloc\.so'; then
  exit 0
fi
echo "mimalloc not found: installing libmimalloc2.0 / 未找到 mimalloc，正在安装" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -q
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends libmimalloc2.0
