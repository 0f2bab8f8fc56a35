# Shared by the .ci/interop-NAME.sh suites that build one virtual environment per library.
#
# Sourced, not run (its name does not match .ci/interop-*.sh, so .ci/run does not call it).
#   interop_suite NAME "DIST..." REQUIREMENT... -- [PYTEST_ARGS...]
# builds (or updates) .ci-venvs/NAME with only python3 and pip, installs the requirements
# from the package index together with this package (-e .) in one resolver run, prints the
# versions of the distributions named in DIST and the wall time of the install, then runs
# tests/interop/NAME with the main suite's settings except its addopts (which ignore
# tests/interop: the main environment has none of these libraries). Delete .ci-venvs/NAME to
# start afresh.

interop_suite() {
    local name=$1 dists=$2
    shift 2
    local requirements=()
    while [[ $# -gt 0 && $1 != "--" ]]; do
        requirements+=("$1")
        shift
    done
    [[ $# -gt 0 ]] && shift  # the "--"

    local venv=.ci-venvs/$name python=${PYTHON:-python3}
    export PIP_NO_INPUT=1 PIP_DISABLE_PIP_VERSION_CHECK=1
    # Tests never touch the user's real job store.
    export QISKIT_MYPROVIDER_STORE="${QISKIT_MYPROVIDER_STORE:-:memory:}"

    local started=$SECONDS
    if [[ ! -x "$venv/bin/python" ]]; then
        printf '+ %s -m venv %s\n' "$python" "$venv" >&2
        "$python" -m venv "$venv"
    fi
    printf '+ pip install %s pytest pytest-timeout -e .\n' "${requirements[*]}" >&2
    "$venv/bin/python" -m pip install --quiet \
        "${requirements[@]}" "pytest>=8" "pytest-timeout>=2.3" -e .
    local installed=$SECONDS
    "$venv/bin/python" - "$name" $dists <<'PY'
import sys
from importlib.metadata import version

name, *dists = sys.argv[1:]
print(f"interop-{name}:", " | ".join(f"{d} {version(d)}" for d in dists))
PY
    printf 'interop-%s: install %ds\n' "$name" $((installed - started))

    printf '+ pytest tests/interop/%s\n' "$name" >&2
    local rc=0
    "$venv/bin/python" -m pytest "tests/interop/$name" -o addopts="" -p no:cacheprovider \
        -ra --strict-markers -q "$@" || rc=$?
    printf 'interop-%s: tests %ds\n' "$name" $((SECONDS - installed))
    return "$rc"
}
