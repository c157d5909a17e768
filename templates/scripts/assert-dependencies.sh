#!/bin/sh
# Checks that an image has what the toolchain build needs, and lists everything missing.
# Options, each repeatable:
#   --library PATTERN   a shared library `ldconfig -p` lists, as a shell pattern (libdb*.so)
#   --program A[|B]     a program on PATH (either of A and B)
#   --python-headers PYTHON
#                       Python.h exists where the interpreter PYTHON says its headers are
#                       (sysconfig's INCLUDEPY, which Python 2.7 and 3 both answer rightly)
#   --command CMD       CMD succeeds when run by sh -c; an --expect A|B right after it
#                       lists accepted strings, one of which its output must contain
set -u

failures=0
fail() {
  echo "MISSING: $*" >&2
  failures=$((failures + 1))
}

libraries=$(ldconfig -p 2>/dev/null | awk 'NR > 1 { print $1 }')

check_library() {
  for name in $libraries; do
    # shellcheck disable=SC2254 # the pattern is meant to match as a glob
    case "$name" in $1) return 0 ;; esac
  done
  fail "library $1 (not listed by ldconfig -p)"
}

check_program() {
  alternatives=$(echo "$1" | tr '|' ' ')
  for program in $alternatives; do
    command -v "$program" >/dev/null 2>&1 && return 0
  done
  fail "program $1 (not on PATH)"
}

check_python_headers() {
  if ! include=$("$1" -c 'import sysconfig; print(sysconfig.get_config_var("INCLUDEPY"))' 2>&1); then
    fail "Python.h for $1 ($1 did not run: $include)"
  elif [ ! -f "$include/Python.h" ]; then
    fail "Python.h for $1 (not in $include, sysconfig's INCLUDEPY)"
  fi
}

# check_command CMD [A|B...]
check_command() {
  if ! output=$(sh -c "$1" 2>&1); then
    fail "a working '$1': $output"
    return
  fi
  [ -z "${2-}" ] && return 0
  accepted=$2
  while :; do
    expected=${accepted%%|*}
    case "$output" in *"$expected"*) return 0 ;; esac
    [ "$expected" = "$accepted" ] && break
    accepted=${accepted#*|}
  done
  fail "'$1' printing one of: $2 (it printed: $output)"
}

checked=0
while [ "$#" -gt 0 ]; do
  option=$1
  shift
  case "$option" in
    --library | --program | --command | --python-headers)
      if [ "$#" -lt 1 ]; then
        echo "assert-dependencies: $option needs a value" >&2
        exit 2
      fi
      value=$1
      shift
      ;;
    *)
      echo "assert-dependencies: unknown option $option (an --expect must follow its --command)" >&2
      exit 2
      ;;
  esac
  checked=$((checked + 1))
  case "$option" in
    --library) check_library "$value" ;;
    --program) check_program "$value" ;;
    --python-headers) check_python_headers "$value" ;;
    --command)
      expected=""
      if [ "${1-}" = --expect ] && [ "$#" -ge 2 ]; then
        expected=$2
        shift 2
      fi
      check_command "$value" "$expected"
      ;;
  esac
done

if [ "$failures" -gt 0 ]; then
  echo "assert-dependencies: $failures of $checked checks failed" >&2
  exit 1
fi
echo "assert-dependencies: all $checked checks passed"
