#!/usr/bin/env bash
# Builds the .deb, installs it, runs the installed `kernscope` (gen, info, a headless PNG export) and removes
# it again. Run by the test suite (PackagingIT) as root; prints "SKIPPED: reason" and exits 0 when it cannot run.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
skip() { echo "SKIPPED: $*"; exit 0; }
[ "$(id -u)" -eq 0 ] || skip "installing a .deb needs root"
for t in jpackage jlink dpkg-deb dpkg; do command -v $t >/dev/null || skip "$t is not installed"; done
if dpkg-query -W -f='${Status}' kernscope 2>/dev/null | grep -q "install ok installed"; then
    skip "a kernscope package is already installed here; not replacing it"
fi

deb=$("$root/packaging/build-deb.sh" "$root/packaging/target" | tail -1)
tmp=$(mktemp -d)
cleanup() { dpkg -r kernscope >/dev/null 2>&1 || true; rm -rf "$tmp"; }
trap cleanup EXIT
dpkg -i "$deb" >/dev/null

test -x /usr/bin/kernscope
test -f /usr/share/applications/kernscope.desktop
test -f /usr/share/mime/packages/kernscope.xml
test -f /usr/share/polkit-1/actions/dev.kernscope.record.policy
grep -q '<annotate key="org.freedesktop.policykit.exec.path">/usr/libexec/kernscope-record-helper</annotate>' \
    /usr/share/polkit-1/actions/dev.kernscope.record.policy
test -x /usr/libexec/kernscope-record-helper
# the helper runs from the installed jars and refuses what its grammar does not know, before loading anything
set +e
usage=$(/usr/libexec/kernscope-record-helper --cpus @/etc/shadow 2>&1); rc=$?
set -e
[ $rc -eq 2 ] && echo "$usage" | grep -q '^usage: kernscope-record-helper -o ' || { echo "helper: rc $rc: $usage"; exit 1; }
test -f /usr/share/icons/hicolor/256x256/apps/kernscope.png
# the tracer jar with its BPF objects is inside the image
ls /opt/kernscope/lib/app/ | grep -q '^kernscope-tracer-.*\.jar$'

cd "$tmp"
kernscope gen -o t.ktrace --cpus 2 --seconds 1 >/dev/null
info=$(kernscope info t.ktrace)
echo "$info" | grep -q "cpus       2 on 1 NUMA node" || { echo "unexpected info output:"; echo "$info"; exit 1; }
env -u DISPLAY -u WAYLAND_DISPLAY kernscope export t.ktrace --png t.png --view timeline --width 640 --height 360 >/dev/null
head -c 8 t.png | od -An -tx1 | grep -q "89 50 4e 47 0d 0a 1a 0a"
echo "deb test ok: installed, ran gen, info and a headless PNG export, removed"
