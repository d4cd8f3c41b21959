# tests: the dashboard in headless Chromium (tests/t_browser.sh), with
# playwright-core from npm as pinned by tests/browser/package-lock.json,
# installed by the test into the build tree's tests/browser/.
INTEGRATION_TESTS += tests/t_browser.sh
EXTRA_DIST += tests/browser/package.json tests/browser/package-lock.json tests/browser/dashboard.mjs

clean-local: clean-browser-test
clean-browser-test:
	-rm -rf tests/browser/node_modules tests/out/browser
	-if test "$(srcdir)" != .; then rm -f tests/browser/package.json tests/browser/package-lock.json tests/browser/dashboard.mjs; fi
.PHONY: clean-browser-test
