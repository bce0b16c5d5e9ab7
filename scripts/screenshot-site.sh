#!/usr/bin/env bash
# Screenshots a built site's pages in headless Chromium (Debian package `chromium`), straight from file://,
# which is also a check that the site works without a server.
# Usage: scripts/screenshot-site.sh [SITE_DIR (default _site)] [OUT_DIR (default SITE_DIR/../site-screenshots)] [PAGE...]
set -euo pipefail
site=${1:-_site}
out=${2:-$(dirname "$site")/site-screenshots}
shift $(( $# > 2 ? 2 : $# )) || true
pages=("$@")
[ ${#pages[@]} -eq 0 ] && pages=(index.html)
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "chromium is not installed; install it with: sudo apt-get install chromium" >&2
  exit 1
fi
[ -f "$site/index.html" ] || { echo "$site/index.html not found; build the site first (belm build --out $site)" >&2; exit 1; }
mkdir -p "$out"
root=$(cd "$site" && pwd)
for page in "${pages[@]}"; do
  for scheme in light dark; do
    png="$out/${page%.html}-$scheme.png"
    flags=()
    [ "$scheme" = dark ] && flags+=(--force-dark-mode --blink-settings=preferredColorScheme=0)
    [ "$scheme" = light ] && flags+=(--blink-settings=preferredColorScheme=1)
    "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --allow-file-access-from-files \
      --window-size=1280,2400 "${flags[@]}" --screenshot="$png" "file://$root/$page" >/dev/null 2>&1
    echo "$png"
  done
done
# The page's script ran if it armed the sortable tables (it gives their headings a tabindex).
if "$browser" --headless --no-sandbox --disable-gpu --dump-dom "file://$root/index.html" 2>/dev/null | grep -q 'tabindex="0"'; then
  echo "site.js ran on index.html"
else
  echo "warning: site.js did not run on index.html (sortable tables not armed)" >&2
fi
