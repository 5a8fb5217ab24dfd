#!/usr/bin/env bash
# The UI test drives a real browser; install Debian's Chromium and its driver if the machine has none.
# (Debian's packages: nothing is downloaded at test time, and versions of browser and driver match.)
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi
echo "chromium not found: installing chromium and chromium-driver / 未找到 chromium，正在安装" >&2
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
$SUDO apt-get update -q
# fonts-noto-cjk: without a CJK font the page's Chinese shows as boxes (screenshots, people using this browser).
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
  chromium chromium-driver fonts-noto-cjk
/usr/bin/chromium --version
