#!/bin/sh
# Add Descent Lab to the application menu of this user (Linux desktops that follow the
# freedesktop.org specifications: GNOME, KDE, Xfce, ...). Run it from the unpacked folder:
#     ./install-desktop-entry.sh            install (or update after moving the folder)
#     ./install-desktop-entry.sh --remove   remove the menu entry and icons again
# It writes only to your own folders under ~/.local/share; nothing needs root.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps="$data/applications"
icons="$data/icons/hicolor"
entry="$apps/descentlab.desktop"

if [ "${1:-}" = "--remove" ]; then
    rm -f "$entry"
    for n in 16 24 32 48 64 128 256 512; do
        rm -f "$icons/${n}x${n}/apps/descentlab.png"
    done
    echo "Removed $entry"
    exit 0
fi

exe="$here/DescentLab"
if [ ! -x "$exe" ]; then
    echo "install-desktop-entry.sh: no DescentLab program beside this script ($exe)" >&2
    exit 1
fi
for n in 16 24 32 48 64 128 256 512; do
    src="$here/_internal/resources/icons/descentlab-$n.png"
    if [ -f "$src" ]; then
        mkdir -p "$icons/${n}x${n}/apps"
        cp "$src" "$icons/${n}x${n}/apps/descentlab.png"
    fi
done
mkdir -p "$apps"
# The template's Exec/TryExec name the program; point them at this folder. Paths with
# spaces are quoted as the Desktop Entry specification asks.
sed -e "s|^Exec=.*|Exec=\"$exe\"|" -e "s|^TryExec=.*|TryExec=$exe|" \
    "$here/descentlab.desktop" > "$entry"
chmod 644 "$entry"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$apps" || true
command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t "$data/icons/hicolor" || true
echo "Installed $entry"
echo "Descent Lab is now in your application menu."
