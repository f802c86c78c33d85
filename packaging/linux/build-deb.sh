#!/usr/bin/env bash
# Builds dist/dialdesk_VERSION_ARCH.deb from the PyInstaller bundle in dist/dialdesk (make deb).
# Layout: the bundle in /opt/dialdesk, /usr/bin/dialdesk, the desktop entry (tel:/sip:/callto:
# handler), the icon set, AppStream metainfo. dpkg's triggers refresh the desktop and icon caches,
# so there are no maintainer scripts; nothing in the user's home is touched, on install or removal.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
bundle="${1:-$repo/dist/dialdesk}"
out="${2:-$repo/dist}"
[ -x "$bundle/dialdesk" ] || { echo "no bundle at $bundle: run make bundle first" >&2; exit 2; }

# One source of truth for the version: the bundle's own (importlib.metadata of the built package).
version="$(env -i HOME=/nonexistent "$bundle/dialdesk" --version | awk '{print $2}')"
arch="$(dpkg --print-architecture)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
root="$stage/dialdesk_${version}_${arch}"

install -d "$root/opt" "$root/usr/bin" "$root/usr/share/applications" "$root/usr/share/metainfo" \
  "$root/usr/share/doc/dialdesk" "$root/usr/share/lintian/overrides" "$root/DEBIAN"
cp -a "$bundle" "$root/opt/dialdesk"
ln -s /opt/dialdesk/dialdesk "$root/usr/bin/dialdesk"
install -m 0644 "$repo/packaging/dialdesk.desktop" "$root/usr/share/applications/dialdesk.desktop"
install -m 0644 "$repo/packaging/linux/io.dialdesk.Dialdesk.metainfo.xml" "$root/usr/share/metainfo/"
for png in "$repo"/resources/icons/*/dialdesk.png; do
  size="$(basename "$(dirname "$png")")"
  install -D -m 0644 "$png" "$root/usr/share/icons/hicolor/$size/apps/dialdesk.png"
done
install -D -m 0644 "$repo/resources/icons/dialdesk.svg" "$root/usr/share/icons/hicolor/scalable/apps/dialdesk.svg"
install -m 0644 "$repo/packaging/linux/copyright" "$root/usr/share/doc/dialdesk/copyright"
install -d "$root/usr/share/man/man1"
gzip -9n < "$repo/packaging/linux/dialdesk.1" > "$root/usr/share/man/man1/dialdesk.1.gz"
sed "s/@VERSION@/$version/; s/@DATE@/$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}")/" \
  "$repo/packaging/linux/changelog.in" | gzip -9n > "$root/usr/share/doc/dialdesk/changelog.gz"
install -m 0644 "$repo/packaging/linux/lintian-overrides" "$root/usr/share/lintian/overrides/dialdesk"
# Files world-readable, directories and programs executable: whatever the umask of the build.
find "$root" -path "$root/DEBIAN" -prune -o -type d -exec chmod 0755 {} +
find "$root/opt" "$root/usr/share" -type f -exec chmod go+r,go-w {} +
# Shared libraries are loaded, not run (PyInstaller copies them with the execute bit).
find "$root/opt" -type f -name "*.so*" -exec chmod a-x {} +

installed_kb="$(du -sk --exclude=DEBIAN "$root" | cut -f1)"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$installed_kb/" \
  "$repo/packaging/linux/control.in" > "$root/DEBIAN/control"
mkdir -p "$out"
# Fast gzip by default (seconds; xz takes minutes on ~200 MB, and Debian's lintian refuses zstd).
# A release: DEB_COMPRESSION=xz DEB_LEVEL=9 make deb.
dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-gzip}" "-z${DEB_LEVEL:-1}" --build "$root" "$out/dialdesk_${version}_${arch}.deb" >/dev/null
echo "$out/dialdesk_${version}_${arch}.deb"
