#!/usr/bin/env bash
# Holds the source tree to the layering of docs/ARCHITECTURE.md. Exits non-zero, naming file:line and the
# rule, when:
#  - a file of app/core/<layer>/ includes a core header by a bare name instead of "core/<layer>/name.h";
#  - a file of app/core/<layer>/ includes a header of a layer above its own (the order is LAYERS below);
#  - a core file includes Widgets/Gui or anything of app/report, app/gui or app/cli;
#  - app/report includes app/gui or app/cli;
#  - anything outside app/core/store/ includes sqlite3.h or the store's SQLite helpers;
#  - a simulator includes anything of app/ (a simulator stands in for someone else's firmware).
# Usage: check-layering.sh SOURCE_DIR
set -uo pipefail
src="${1:?usage: $0 SOURCE_DIR}"
cd "$src" || exit 2

LAYERS=(base expr config transport link session run store analysis export engine)
rank() {
    local i
    for i in "${!LAYERS[@]}"; do
        [ "${LAYERS[$i]}" = "$1" ] && { echo "$i"; return; }
    done
    echo -1
}

# Files still allowed to run SQL outside the store, each with the reason; the list only ever shrinks.
SQL_ALLOWED=()

status=0
fail() {
    echo "$1: $2" >&2
    status=1
}

# Files at the root of app/core: at most four, and no sources there (sources live in a layer folder).
while IFS= read -r f; do
    fail "$f" "a core source at the root of app/core: put it in the folder of its layer"
done < <(find app/core -maxdepth 1 -type f \( -name '*.h' -o -name '*.cpp' \) | sort)

while IFS= read -r f; do
    layer="${f#app/core/}"
    layer="${layer%%/*}"
    own=$(rank "$layer")
    if [ "$own" -lt 0 ]; then
        fail "$f" "app/core/$layer is not a layer (known: ${LAYERS[*]})"
        continue
    fi
    while IFS=: read -r line text; do
        name=$(sed -E 's/^[[:space:]]*#[[:space:]]*include[[:space:]]+"([^"]+)".*/\1/' <<<"$text")
        case "$name" in
        moc_*.cpp | *.moc) continue ;;
        core/*/*)
            target="${name#core/}"
            target="${target%%/*}"
            tr=$(rank "$target")
            if [ "$tr" -lt 0 ]; then
                fail "$f:$line" "includes $name: core/$target is not a layer"
            elif [ "$tr" -gt "$own" ]; then
                fail "$f:$line" "includes $name: layer '$layer' may not depend on '$target', which is above it"
            fi
            ;;
        report/* | gui/* | cli/*)
            fail "$f:$line" "includes $name: the core never reaches into app/${name%%/*}"
            ;;
        *)
            fail "$f:$line" "includes \"$name\": name the layer (\"core/$layer/$name\" or another layer's)"
            ;;
        esac
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"' "$f")
    while IFS=: read -r line text; do
        fail "$f:$line" "includes Qt Gui/Widgets: the core is Qt Core + Network only"
    done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]+<(QtWidgets|QtGui|QWidget|QApplication|QGuiApplication|QPainter|QImage|QPixmap|QColor|qcustomplot)' "$f")
done < <(find app/core -mindepth 2 -type f \( -name '*.h' -o -name '*.cpp' \) | sort)

while IFS=: read -r f line text; do
    fail "$f:$line" "app/report includes app/gui or app/cli: report sits below both"
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"(gui|cli)/' app/report 2>/dev/null)

# SQLite stays in the store.
while IFS=: read -r f line text; do
    case "$f" in app/core/store/*) continue ;; esac
    allowed=0
    for a in "${SQL_ALLOWED[@]+"${SQL_ALLOWED[@]}"}"; do [ "$f" = "$a" ] && allowed=1; done
    [ "$allowed" -eq 1 ] && continue
    fail "$f:$line" "includes SQLite outside app/core/store: go through the store's API"
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+[<"](sqlite3\.h|core/store/sqlitestatement\.h|core/store/sqliteerror\.h)' app simulators 2>/dev/null)

while IFS=: read -r f line text; do
    fail "$f:$line" "a simulator includes the harness's code: a simulator shares nothing with app/"
done < <(grep -rnE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"(core|report|gui|cli)/' simulators 2>/dev/null)

if [ "$status" -eq 0 ]; then
    echo "layering: $(find app/core -mindepth 2 -type f | wc -l) core files in ${#LAYERS[@]} layers, all includes in order"
fi
exit "$status"
