# Dialdesk developer commands. `make run` and `make test` work on a fresh Debian/Ubuntu machine.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Debian/Ubuntu packages the test suite uses: Xvfb + xcb libraries for the real-window screenshot
# test, libfaketime for CLI tests of calling hours, espeak-ng for speech, baresip (the softphone),
# sipp (a SIP peer for its tests), sox (audio conversion), poppler-utils (pdftotext reads report PDFs) and
# postgresql (the storage, services and report tests run a second time on a throwaway server). The
# bundle's test of what it leaves to the system maps each library to its package (binutils' readelf),
# so the libraries the .deb only recommends (Wayland, libpq5) are installed too.
TEST_DEB_PACKAGES := postgresql xvfb xauth xdotool imagemagick faketime espeak-ng baresip-core sip-tester sox poppler-utils \
	libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 \
	libxkbcommon-x11-0 libxcb-shape0 libxcb-randr0 libxcb-xfixes0 libxcb-xkb1 libegl1 libgl1 \
	libfontconfig1 libdbus-1-3 fonts-dejavu-core desktop-file-utils appstream \
	libwayland-client0 libwayland-cursor0 libwayland-egl1 libpq5 binutils
# What the window needs on a bare machine (a desktop usually has them already).
RUN_DEB_PACKAGES := libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0 \
	libxkbcommon-x11-0 libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3

.PHONY: run test lint typecheck pytest pytest-clock-shift bench venv system-packages-test system-packages-run clean \
	screenshot area-codes bundle deb deb-lint install-check icons bench-bundle

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11+ is needed: sudo apt-get install python3 python3-venv"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { echo "Could not create $(VENV): sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

# PyInstaller and friends (the `packaging` extra), only for `make bundle` and what builds on it.
PACKAGING_STAMP := $(VENV)/.packaging
$(PACKAGING_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,packaging]'
	touch $(PACKAGING_STAMP)

system-packages-test:
	@./packaging/install-system-packages.sh $(TEST_DEB_PACKAGES)

system-packages-run:
	@./packaging/install-system-packages.sh $(RUN_DEB_PACKAGES)

run: $(STAMP) system-packages-run
	$(BIN)/dialdesk $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check desktop tests migrations benchmarks packaging setup.py
	$(BIN)/ruff format --check desktop tests migrations benchmarks packaging setup.py

typecheck: $(STAMP)
	$(BIN)/mypy

# pytest exits 5 when it collected no test: that is a failure here, not a success.
pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; exit $$rc

# No test may depend on today's date: the tests of dates and times (registry, compliance, cadence,
# callbacks, reports, the window, the CLI) run again with the clock a year ahead and a year back
# (libfaketime). Tests of the real SIP stack wait on real timers and are left out (marker `sip`), and so are
# the second runs on PostgreSQL (marker `postgresql`): the server would run on the shifted clock too.
CLOCK_SHIFTS := +400d -400d
CLOCK_SHIFT_TESTS := tests/domain tests/storage tests/cli tests/test_private_folders.py \
	tests/services/test_registry.py tests/services/test_compliance_services.py \
	tests/services/test_queue_gate.py tests/services/test_calling.py tests/services/test_callbacks.py \
	tests/services/test_meetings.py tests/services/test_merge.py tests/services/test_merge_legacy_calls.py \
	tests/services/test_outcome_rules.py \
	tests/services/test_reports.py tests/services/test_reports_exports.py \
	tests/services/test_report_summaries.py tests/services/test_reports_seed.py \
	tests/ui/test_compliance_gui.py tests/ui/test_follow_up.py tests/ui/test_calling_flow.py \
	tests/ui/test_power_dial.py tests/ui/test_outcome_dialogs.py tests/ui/test_reports_window.py \
	tests/integration/test_gate_state_machine.py
pytest-clock-shift: $(STAMP)
	@command -v faketime >/dev/null || { echo "needs faketime: sudo apt-get install faketime"; exit 1; }
	@for shift in $(CLOCK_SHIFTS); do \
		echo "== tests with the clock moved $$shift"; \
		QT_QPA_PLATFORM=offscreen faketime -f "$$shift" $(BIN)/python -m pytest -q -p no:cacheprovider \
			-m "not sip and not postgresql" $(CLOCK_SHIFT_TESTS); rc=$$?; \
		if [ $$rc -eq 5 ]; then echo "pytest collected no tests: failing"; exit 1; fi; \
		[ $$rc -eq 0 ] || exit $$rc; \
	done


# install-check before pytest: it builds the bundle the bundle tests (tests/packaging) run.
test: system-packages-test lint typecheck install-check pytest pytest-clock-shift

bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

screenshot: $(STAMP) system-packages-test
	$(BIN)/python packaging/screenshot.py docs/images/main-window.png

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache

# The states of +1 area codes, from the installed phonenumbers (run after upgrading phonenumbers).
area-codes: $(STAMP)
	$(BIN)/python -c "from pathlib import Path; from desktop.domain.phones import write_area_code_table; write_area_code_table(Path('resources/phone/area_code_states.json'))"

# The self-contained folder dist/dialdesk/ (no Python needed), rebuilt when a source changes.
BUNDLE := dist/dialdesk/dialdesk
BUNDLE_SOURCES := $(shell find desktop resources migrations packaging -type f -not -path '*/__pycache__/*') \
	pyproject.toml setup.py
$(BUNDLE): $(PACKAGING_STAMP) $(BUNDLE_SOURCES)
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller packaging/dialdesk.spec
	touch $(BUNDLE)

bundle: $(BUNDLE)

# dist/dialdesk_VERSION_ARCH.deb, built with dpkg-deb from the bundle.
deb: $(BUNDLE)
	./packaging/linux/build-deb.sh dist/dialdesk dist

# Lintian takes minutes: run by hand before a release, not in every CI run.
deb-lint: deb
	@./packaging/install-system-packages.sh lintian
	lintian --tag-display-limit 0 --fail-on error dist/dialdesk_*.deb

# CI: install the .deb with dpkg -i, start the installed program (CLI and offscreen window), remove it.
install-check: deb system-packages-test
	./packaging/linux/check-installed.sh dist/dialdesk_*.deb

# Bundle start-up and size figures (window start, `dialdesk check`).
bench-bundle: $(BUNDLE)
	$(BIN)/python benchmarks/bundle.py dist/dialdesk

# The PNG icon sizes and the Windows .ico, rendered from resources/icons/dialdesk.svg (committed).
ICON_SIZES := 16 24 32 48 64 128 256 512
icons:
	@./packaging/install-system-packages.sh librsvg2-bin imagemagick
	for size in $(ICON_SIZES); do mkdir -p resources/icons/$${size}x$${size}; \
		rsvg-convert -w $$size -h $$size resources/icons/dialdesk.svg -o resources/icons/$${size}x$${size}/dialdesk.png; done
	convert $(foreach s,16 24 32 48 64 128 256,resources/icons/$(s)x$(s)/dialdesk.png) resources/icons/dialdesk.ico
