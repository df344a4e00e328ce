#!/bin/sh
# System packages crmreport needs, installed when missing (Debian/Ubuntu):
#   libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0  WeasyPrint (PDF text layout, font subsetting)
#   fontconfig fonts-dejavu-core      the reports' Latin font, DejaVu Sans (crmreport/reporting/fonts.py)
#   fonts-noto-cjk                    the reports' Chinese font, Noto Sans CJK SC (charts and PDFs)
#   poppler-utils                     pdftotext/pdftoppm, used by the tests to read PDFs
#   postgresql                        a real server for the PostgreSQL source tests
#   openjdk-17-jre-headless           Java 17 for Spark (engine: spark, the crmreport[spark] extra) and its tests
set -eu
PACKAGES="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core fonts-noto-cjk poppler-utils postgresql
openjdk-17-jre-headless"

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "crmreport: not a Debian/Ubuntu system; install the equivalents of: $PACKAGES" >&2
    exit 0
fi
missing=""
for package in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing="$missing $package"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "crmreport: missing system packages:$missing" >&2
    echo "crmreport: install them with: sudo apt-get install$missing" >&2
    echo "crmreport: (without the fonts no report renders; without postgresql or Java their tests fail)" >&2
    exit 0
fi
echo "crmreport: installing system packages:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
