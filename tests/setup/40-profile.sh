# Headless Chromium for the flame-graph screenshot test (issue 7). 30-browser.sh may already have set it up;
# this fragment only fills the gap when it has not.
if [ -z "${CW_TEST_CHROMIUM:-}" ]; then
  cw_apt_install chromium
  export CW_TEST_CHROMIUM=/usr/bin/chromium
fi
