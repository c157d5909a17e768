//! A fake `docker` for contract tests: it records what it is asked and answers as the
//! variables of each test say, with a small registry in a file, so that tcgen's side of the
//! contract with the engine (arguments, directory, variables, exit codes, cleanup, the order of
//! pushes and tag moves) is checked without a daemon.
#![allow(dead_code)] // each test binary uses only some of it

use std::fs;
use std::path::{Path, PathBuf};

/// A fake engine that appends its directory, arguments and chosen variables to a log and acts
/// as the variables say:
/// - `image inspect` answers with an image id and a registry digest;
/// - `create` prints a container id (or fails with FAKE_CREATE_EXIT, as for a missing image); `start` and `buildx` exit with FAKE_EXIT (default 0), or 1
///   when their last argument is FAKE_FAIL_TARGET;
/// - a registry in `engine.log.registry`, one `TAG DIGEST` line per push or move (the last line
///   of a tag wins): a bake that succeeds with `--set T.tags=TAG` pushes TAG (digest: the sha256
///   of its name) and records `REVISION` for it in `engine.log.revisions`; `buildx imagetools
///   inspect TAG` prints its `Digest:` (or, with `--format`, an image configuration with its
///   revision label) or fails as a registry that has no such tag; `buildx imagetools create
///   --prefer-index=false -t TO FROM` points TO at FROM's digest (FROM may be `REPO@DIGEST`),
///   and `buildx imagetools create -t TO A B` makes TO a list of A and B (each must exist);
/// - FAKE_EXISTING lists tags the registry has besides;
/// - FAKE_RETAG_EXIT makes every tag move exit with it; FAKE_FAIL_MOVE=TAG fails the move of
///   that name tag only; FAKE_SLEEP_MOVE makes every move take that many seconds, and a move
///   marks its start (`engine.log.started-move`);
/// - FAKE_SLEEP_<verb> makes a verb take that many seconds first; the verb marks when it
///   starts and when its sleep ends (`engine.log.started-<verb>`, `engine.log.slept-<verb>`);
/// - FAKE_FAIL_ONCE=T makes the first `buildx` of target T fail (exit code 100, as apt's
///   does when a name does not resolve), and every later one build;
/// - `run` prints the file FAKE_RUN_OUTPUT (what an image's package query prints), or fails as
///   for an image the engine cannot find;
/// - FAKE_DAEMON_DOWN=1 answers everything as docker does when its daemon is not running;
/// - FAKE_BARRIER=N makes `buildx bake` wait (a minute at most) until N bakes have started,
///   and FAKE_SOLO=1 records "overlap" when a bake starts while another runs.
pub fn fake_engine(dir: &Path) -> (PathBuf, PathBuf) {
    let log = dir.join("engine.log");
    let script = dir.join("fake-docker");
    let body = r#"#!/bin/sh
echo "cwd=$(pwd) args=$* REGISTRY=${REGISTRY-} MULTI=${MULTI-}" >> LOG
if [ "${FAKE_DAEMON_DOWN-}" = 1 ]; then
  echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?" >&2
  exit 1
fi
: > "LOG.started-$1"
if [ "$1 $2" = "buildx bake" ]; then
  echo "$$" >> "LOG.bakes"
  if [ -n "${FAKE_SOLO-}" ]; then
    mkdir "LOG.running" 2>/dev/null || echo overlap >> "LOG.overlap"
  fi
  if [ -n "${FAKE_BARRIER-}" ]; then
    n=0
    while [ "$(wc -l < "LOG.bakes")" -lt "$FAKE_BARRIER" ] && [ "$n" -lt 600 ]; do
      sleep 0.1; n=$((n + 1))
    done
    [ "$n" -lt 600 ] || { echo "barrier: only $(wc -l < "LOG.bakes") bakes started" >&2; exit 99; }
  fi
fi
# The sleep holds none of tcgen's streams, so one that outlives a killed engine blocks nothing.
eval "sleep \${FAKE_SLEEP_$1:-0}" </dev/null >/dev/null 2>&1
: > "LOG.slept-$1"
eval "last=\${$#}"
hashed() { printf 'sha256:%s' "$(printf %s "$1" | sha256sum | cut -c1-64)"; }
lookup() {
  case " ${FAKE_EXISTING-} " in *" $1 "*) hashed "$1"; return 0 ;; esac
  [ -f "LOG.registry" ] && awk -v t="$1" '$1 == t { d = $2 } END { if (d == "") exit 1; print d }' "LOG.registry"
}
case "$1 $2 $3" in
  'buildx imagetools inspect')
    if [ "$4" = --format ]; then
      digest=$(lookup "$6") || { echo "ERROR: $6: not found" >&2; exit 1; }
      revision=$(awk -v d="$digest" '$1 == d { r = $2 } END { print r }' "LOG.revisions" 2>/dev/null)
      printf '{"architecture":"amd64","os":"linux","config":{"Labels":{"org.opencontainers.image.revision":"%s"}},"rootfs":{"type":"layers","diff_ids":[]}}\n' "$revision"
      exit 0
    fi
    digest=$(lookup "$4") || { echo "ERROR: $4: not found" >&2; exit 1; }
    printf 'Name:      %s\nMediaType: application/vnd.oci.image.index.v1+json\nDigest:    %s\n' "$4" "$digest"
    exit 0 ;;
  'buildx imagetools create')
    : > "LOG.started-move"
    sleep "${FAKE_SLEEP_MOVE:-0}"
    [ "${FAKE_RETAG_EXIT:-0}" = 0 ] || exit "$FAKE_RETAG_EXIT"
    if [ "$4" = -t ]; then
      # A list made of the sources: its digest stands for them all.
      to=$5; shift 5
      for source in "$@"; do lookup "$source" >/dev/null || { echo "ERROR: $source: not found" >&2; exit 1; }; done
      echo "$to $(hashed "$*")" >> "LOG.registry"
      exit 0
    fi
    [ "$4 $5" = "--prefer-index=false -t" ] || { echo "not a carbon copy: $*" >&2; exit 97; }
    to=$6; from=$7
    [ "$to" = "${FAKE_FAIL_MOVE-}" ] && { echo "ERROR: failed to push $to: unexpected status 500" >&2; exit 1; }
    case "$from" in *@*) digest=${from#*@} ;; *) digest=$(lookup "$from") || exit 1 ;; esac
    echo "$to $digest" >> "LOG.registry"
    exit 0 ;;
esac
case "$1" in
  image)
    [ "$2" = inspect ] && { echo "id sha256:5ca1ab1e digests [\"reg.example.com/$last@sha256:0b5e55ed\"]"; exit 0; } ;;
  run)
    image=$(printf '%s\n' "$@" | sed -n '/^sh$/{n;p;q;}')
    [ -n "${FAKE_RUN_OUTPUT-}" ] || { printf 'Error: %s: image not known\n' "$image" >&2; exit 125; }
    cat "$FAKE_RUN_OUTPUT"; exit 0 ;;
  create)
    [ "${FAKE_CREATE_EXIT:-0}" = 0 ] || { echo "Error: initializing source docker://$last: image not known" >&2; exit "$FAKE_CREATE_EXIT"; }
    echo c0ffee ;;
  start|buildx)
    [ -n "${FAKE_SOLO-}" ] && [ "$1" = buildx ] && sleep 0.2 && rmdir "LOG.running"
    [ -n "${FAKE_FAIL_TARGET-}" ] && [ "$last" = "$FAKE_FAIL_TARGET" ] && exit 1
    if [ -n "${FAKE_FAIL_ONCE-}" ] && [ "$last" = "$FAKE_FAIL_ONCE" ] && [ ! -e "LOG.failed-once" ]; then
      : > "LOG.failed-once"
      echo "Err:1 http://deb.debian.org/debian bookworm/main amd64 bzip2 amd64 1.0.8-5+b1" >&2
      echo "  Temporary failure resolving 'deb.debian.org'" >&2
      exit 100
    fi
    if [ "$1 $2" = "buildx bake" ] && [ "${FAKE_EXIT:-0}" = 0 ]; then
      for arg in "$@"; do
        case "$arg" in
          *.tags=*)
            tag=${arg#*.tags=}
            echo "$tag $(hashed "$tag")" >> "LOG.registry"
            echo "$(hashed "$tag") ${REVISION:-}" >> "LOG.revisions" ;;
        esac
      done
    fi
    exit "${FAKE_EXIT:-0}" ;;
esac
"#;
    crate::common::write_executable(&script, &body.replace("LOG", &log.display().to_string()));
    (script, log)
}

/// What the fake registry says `tag` points at now.
pub fn registry_digest(log: &Path, tag: &str) -> Option<String> {
    let text = fs::read_to_string(log.with_extension("log.registry")).unwrap_or_default();
    text.lines()
        .rev()
        .filter_map(|line| line.split_once(' '))
        .find(|(name, _)| *name == tag)
        .map(|(_, digest)| digest.to_owned())
}

/// Puts `tag` in the fake registry at `digest`, built from `revision`.
pub fn push(log: &Path, tag: &str, digest: &str, revision: &str) {
    use std::io::Write as _;
    let mut registry = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log.with_extension("log.registry"))
        .unwrap();
    writeln!(registry, "{tag} {digest}").unwrap();
    let mut revisions = fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log.with_extension("log.revisions"))
        .unwrap();
    writeln!(revisions, "{digest} {revision}").unwrap();
}

/// The digest tag `tcgen list --json` gives a distro.
pub fn digest_tag(dir: &Path, name: &str) -> String {
    let output = crate::common::tcgen(dir)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == name)
        .unwrap();
    entry["digest_tag"].as_str().unwrap().to_owned()
}

/// Runs tcgen in `dir` against a new fake engine with the variables `env`, and returns its
/// output and the engine's log.
pub fn with_fake_engine(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (std::process::Output, PathBuf) {
    let (engine, log) = fake_engine(dir);
    let output = crate::common::tcgen(dir)
        .args(args)
        .env("TCGEN_DOCKER", &engine)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (output, log)
}

/// Runs tcgen in `dir` with `env`, sends `signal` once the fake engine has started `verb`
/// (however long the machine takes to get there), and returns its exit code, standard output
/// and standard error.
pub fn interrupted(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
    signal: i32,
    verb: &str,
) -> (Option<i32>, String, String) {
    let child = crate::common::tcgen(dir)
        .args(args)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = dir.join(format!("engine.log.started-{verb}"));
    let give_up = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !started.exists() {
        assert!(
            std::time::Instant::now() < give_up,
            "the engine never started {verb}"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    // SAFETY: kill has no memory effects; the pid is our own running child.
    unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    let output = child.wait_with_output().unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub fn verbs(log: &Path) -> Vec<String> {
    fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .map(|l| {
            l.split("args=")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .to_owned()
        })
        .collect()
}

/// The engine calls after the builds: (verb, image) for each `imagetools create`.
pub fn retags(log: &Path) -> Vec<String> {
    fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| {
            l.split("args=buildx imagetools create --prefer-index=false -t ")
                .nth(1)
        })
        .map(|rest| rest.split(' ').next().unwrap().to_owned())
        .collect()
}
