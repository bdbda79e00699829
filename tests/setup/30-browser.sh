# Headless Chromium for the dashboard's browser tests and promtool (Debian package prometheus) for /metrics.
# Sourced by test.sh. Exports CW_TEST_CHROMIUM and CW_TEST_PROMTOOL. The tests drive Chromium through its DevTools
# protocol from C# (no browser download, no npm package); the Prometheus server itself is not started.
cw_apt_install chromium prometheus
if [ -x /usr/bin/chromium ]; then
  export CW_TEST_CHROMIUM=/usr/bin/chromium
fi
if command -v promtool >/dev/null 2>&1; then
  export CW_TEST_PROMTOOL="$(command -v promtool)"
fi
# The installed prometheus package would start its own server on :9090 where systemd runs; here it does not.
mkdir -p "$CW_TEST_RUN/screenshots"
