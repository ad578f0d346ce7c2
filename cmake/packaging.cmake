# `cpack -G DEB` in the build folder (or cmake/package.sh): hil_<version>_<arch>.deb with the command line
# (hil), the simulators (hil-sim), the desktop app (hil-bench, when built), the shipped scenarios and
# fixtures (/usr/share/hil) and the docs. The libraries it links come from dpkg-shlibdeps; what it
# loads or runs without linking is named here: Qt's platform plugins (reports render on the offscreen
# platform, the app on xcb), mosquitto for fixture brokers, fonts for report text.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME hil)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "hil")
set(CPACK_PACKAGE_CONTACT "hil maintainers <hil@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Hardware-in-the-loop beta-test and soak harness")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "Hardware-in-the-loop beta-test and soak harness\n Drives real (serial, TCP, Modbus, MQTT) or simulated \
devices through scripted scenarios, injects faults, records every check, latency and fault in SQLite, and \
reports them (HTML, PDF, JUnit, CSV). Includes hil (command line), hil-sim (simulated devices) and hil-bench \
(desktop app).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # hil_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "qt6-qpa-plugins")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "mosquitto, fonts-dejavu-core")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "socat, postgresql-client, prometheus")
include(CPack)
