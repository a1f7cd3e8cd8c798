#!/usr/bin/env bash
# Installs the privileged recording helper from a source checkout, as root, the way the .deb does:
#   /usr/libexec/kernscope-record-helper            the launcher (root-owned, the only path polkit names)
#   /usr/local/lib/kernscope-record-helper/*.jar    the recorder's jars, copied (never run from the checkout)
#   /usr/share/polkit-1/actions/dev.kernscope.record.policy
# Build first as yourself (./kernscope --help builds), then: sudo packaging/install-helper.sh
# Remove with: sudo packaging/install-helper.sh --uninstall
# Options for tests: --from DIR (jars to install; default app/target/lib), --prefix DIR (install under DIR,
# without the polkit policy).
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
from="$root/app/target/lib" prefix="" uninstall=0
while [ $# -gt 0 ]; do
    case $1 in
        --from) from=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --uninstall) uninstall=1; shift ;;
        *) echo "usage: $0 [--uninstall] [--from JAR_DIR] [--prefix DIR]" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "install-helper: run it as root (sudo $0)" >&2; exit 2; }
bin="$prefix/usr/libexec/kernscope-record-helper"
lib="$prefix/usr/local/lib/kernscope-record-helper"
policy=/usr/share/polkit-1/actions/dev.kernscope.record.policy
if [ $uninstall = 1 ]; then
    rm -f "$bin"; rm -rf "$lib"; [ -n "$prefix" ] || rm -f "$policy"
    exit 0
fi
if [ -z "$prefix" ] && dpkg-query -W -f='${Status}' kernscope 2>/dev/null | grep -q "install ok installed"; then
    echo "install-helper: the kernscope package is installed and provides the helper already" >&2; exit 2
fi
java=$(readlink -f "$(command -v java)") || { echo "install-helper: java not found" >&2; exit 2; }
jars=()
for j in "$from"/kernscope-tracer-*.jar "$from"/kernscope-storage-*.jar "$from"/jna-*.jar "$from"/sqlite-jdbc-*.jar "$from"/picocli-*.jar; do
    [ -f "$j" ] && jars+=("$j")
done
[ ${#jars[@]} -ge 5 ] || { echo "install-helper: the recorder's jars are missing in $from: build first (./kernscope --help)" >&2; exit 2; }
install -d -m 755 -o root -g root "$lib" "$(dirname "$bin")"
rm -f "$lib"/*.jar
install -m 644 -o root -g root "${jars[@]}" "$lib/"
sed -e "s|@JAVA@|$java|" -e "s|@LIB@|$lib|" "$root/packaging/linux/kernscope-record-helper" > "$bin.tmp"
chown root:root "$bin.tmp" && chmod 755 "$bin.tmp" && mv -f "$bin.tmp" "$bin"
if [ -z "$prefix" ]; then
    install -D -m 644 -o root -g root "$root/packaging/linux/dev.kernscope.record.policy" "$policy"
fi
echo "$bin"
