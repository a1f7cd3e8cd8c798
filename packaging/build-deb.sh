#!/usr/bin/env bash
# Builds the kernscope app image (jpackage, with a jlink'ed runtime) and a .deb around it:
#   /opt/kernscope (app image; the tracer jar inside carries the BPF objects), /usr/bin/kernscope,
#   desktop entry, icon, MIME type for .ktrace, the record-only helper /usr/libexec/kernscope-record-helper
#   and the polkit policy that names it.
# Usage: packaging/build-deb.sh [OUT_DIR]   (default: packaging/target). Needs a built app
# (mvn -B -DskipTests install, or ./kernscope once), jpackage/jlink (JDK 17) and dpkg-deb.
set -euo pipefail
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
out=${1:-$root/packaging/target}
version=0.1.0
arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
app="$root/app/target"
[ -f "$app/kernscope-app.jar" ] || { echo "build-deb: $app/kernscope-app.jar is missing: run 'mvn -B -DskipTests install' first" >&2; exit 2; }
for t in jpackage jlink dpkg-deb; do
    command -v $t >/dev/null || { echo "build-deb: $t not found (install openjdk-17-jdk-headless and dpkg)" >&2; exit 2; }
done

work="$out/work"
rm -rf "$work" "$out/kernscope" && mkdir -p "$work/input" "$out"
cp "$app/kernscope-app.jar" "$work/input/"
cp "$app"/lib/*.jar "$work/input/"
if [ -f "$root/packaging/samples/sample.ktrace" ]; then
    mkdir -p "$work/input/samples" && cp "$root/packaging/samples/sample.ktrace" "$work/input/samples/"
    [ -f "$root/packaging/samples/numa-2node.ktrace" ] && cp "$root/packaging/samples/numa-2node.ktrace" "$work/input/samples/"
fi

echo "build-deb: runtime image (jlink)" >&2
jlink --add-modules java.base,java.desktop,java.logging,java.prefs,java.sql,java.xml,java.naming,java.management,jdk.unsupported,jdk.security.auth,jdk.zipfs \
      --strip-debug --no-header-files --no-man-pages --compress=2 --output "$work/runtime"

echo "build-deb: app image (jpackage)" >&2
jpackage --type app-image --name kernscope --app-version "$version" --vendor kernscope \
    --input "$work/input" --main-jar kernscope-app.jar --main-class dev.kernscope.app.Main \
    --runtime-image "$work/runtime" --icon "$root/packaging/icon/kernscope-256.png" \
    --java-options '-Dkernscope.home=$APPDIR' --java-options '-Dkernscope.launcher=/opt/kernscope/bin/kernscope' \
    --dest "$out"

echo "build-deb: package (dpkg-deb)" >&2
pkg="$work/deb"
mkdir -p "$pkg/opt" "$pkg/usr/bin" "$pkg/usr/libexec" "$pkg/DEBIAN" "$pkg/usr/share/applications" "$pkg/usr/share/mime/packages" \
    "$pkg/usr/share/icons/hicolor/256x256/apps" "$pkg/usr/share/icons/hicolor/scalable/apps" "$pkg/usr/share/polkit-1/actions"
cp -a "$out/kernscope" "$pkg/opt/kernscope"
ln -s /opt/kernscope/bin/kernscope "$pkg/usr/bin/kernscope"
[ -x "$pkg/opt/kernscope/lib/runtime/bin/java" ] || { echo "build-deb: the runtime image has no bin/java for the helper" >&2; exit 1; }
sed -e "s|@JAVA@|/opt/kernscope/lib/runtime/bin/java|" -e "s|@LIB@|/opt/kernscope/lib/app|" \
    "$root/packaging/linux/kernscope-record-helper" > "$pkg/usr/libexec/kernscope-record-helper"
chmod 755 "$pkg/usr/libexec/kernscope-record-helper"
install -m 644 "$root/packaging/linux/kernscope.desktop" "$pkg/usr/share/applications/kernscope.desktop"
install -m 644 "$root/packaging/linux/kernscope-mime.xml" "$pkg/usr/share/mime/packages/kernscope.xml"
install -m 644 "$root/packaging/linux/dev.kernscope.record.policy" "$pkg/usr/share/polkit-1/actions/dev.kernscope.record.policy"
install -m 644 "$root/packaging/icon/kernscope-256.png" "$pkg/usr/share/icons/hicolor/256x256/apps/kernscope.png"
install -m 644 "$root/packaging/icon/kernscope.svg" "$pkg/usr/share/icons/hicolor/scalable/apps/kernscope.svg"
size=$(du -sk "$pkg" | cut -f1)
cat > "$pkg/DEBIAN/control" <<CONTROL
Package: kernscope
Version: $version
Architecture: $arch
Maintainer: kernscope maintainers <maintainers@kernscope.invalid>
Installed-Size: $size
Depends: libgtk-3-0, libbpf1
Recommends: pkexec | policykit-1
Section: devel
Priority: optional
Homepage: https://kernscope.invalid
Description: record and explore the Linux scheduler, CPU stacks and NUMA memory
 kernscope records scheduler events, stack samples and NUMA activity with eBPF into a single
 .ktrace file and shows run-queue timelines, on/off-CPU flame graphs and per-node memory access.
CONTROL
cat > "$pkg/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
set -e
command -v update-mime-database >/dev/null && update-mime-database /usr/share/mime || true
command -v update-desktop-database >/dev/null && update-desktop-database -q /usr/share/applications || true
command -v gtk-update-icon-cache >/dev/null && gtk-update-icon-cache -q /usr/share/icons/hicolor || true
exit 0
POSTINST
cp "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/postrm"
chmod 755 "$pkg/DEBIAN/postinst" "$pkg/DEBIAN/postrm"
deb="$out/kernscope_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zgzip -z6 --build "$pkg" "$deb" >/dev/null
rm -rf "$work"
echo "$deb"
