#!/bin/sh
# The browser tests (tests/browser) drive Debian's Chromium with Playwright; Playwright never downloads a
# browser of its own here. Install the `chromium` package when it is missing and this can (apt-get as root);
# otherwise say in one line that the browser tests will be skipped. Never fails the build.
CHROMIUM="${VSSID_CHROMIUM:-/usr/bin/chromium}"
[ -x "$CHROMIUM" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "installing Debian's chromium for the browser tests (apt-get, once)..."
	if DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1 \
		&& DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
		&& [ -x "$CHROMIUM" ]; then
		echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null | head -n 1)"
		exit 0
	fi
fi
echo "browser tests will be skipped: no Chromium at $CHROMIUM, and it cannot be installed here (needs apt-get as root)"
exit 0
