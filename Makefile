# The two commands of the quick start, and the pieces they are made of.
SYSTEM_PACKAGES = libpng-dev libcmark-dev libvulkan-dev mesa-vulkan-drivers glslc libjpeg-dev libssl-dev liblapacke-dev zlib1g-dev pkg-config vulkan-validationlayers libcairo2-dev fonts-lmodern poppler-utils
SUDO = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: site test deps build release install

## site: install missing system packages, build belm in release mode, build the demo site into _site/
site: deps release
	.build/release/belm build --config site/belm.yml --out _site

## test: the whole test suite (the Vulkan tests run on whatever device is present, lavapipe in CI)
test: deps
	swift test

## deps: apt-get the system packages only if some are missing
deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "installing system packages:" $$missing; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build:
	swift build

release:
	swift build -c release

## install: build belm (CONFIG=release by default) and install it under PREFIX: the binary in PREFIX/bin, the page
## templates and builtin:shapes-unet in PREFIX/share/belm, where an installed belm looks for them
PREFIX = /usr/local
CONFIG = release
install: deps
	swift build -c $(CONFIG) --product belm
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/belm
	install -m 755 "$$(swift build -c $(CONFIG) --show-bin-path)/belm" $(DESTDIR)$(PREFIX)/bin/belm
	rm -rf $(DESTDIR)$(PREFIX)/share/belm/Templates $(DESTDIR)$(PREFIX)/share/belm/shapes-unet
	cp -R Templates $(DESTDIR)$(PREFIX)/share/belm/Templates
	cp -R Sources/Models/Resources/shapes-unet $(DESTDIR)$(PREFIX)/share/belm/shapes-unet
