//! The scripts every image runs, against stand-ins that answer as the real tools of the distros
//! this machine cannot build do: Debian's Python 2.7, whose sysconfig names a headers folder that
//! does not exist, and EL8's `alternatives`, which already has a `python` group.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::{text, write_executable};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("templates/scripts")
        .join(name)
}

/// A `python` that is the machine's python3 with sysconfig answering as Debian's and Ubuntu's
/// Python 2.7 does: `get_paths()["include"]` is `/usr/local/include/python2.7`, which does not
/// exist, and `INCLUDEPY` is the real headers folder, here `include_dir`.
fn python27_like(bin: &Path, include_dir: &Path) -> PathBuf {
    let site = bin.join("site");
    fs::create_dir_all(&site).unwrap();
    fs::write(
        site.join("sitecustomize.py"),
        format!(
            r#"import sysconfig
_config_var = sysconfig.get_config_var
def get_config_var(name):
    return {include:?} if name == "INCLUDEPY" else _config_var(name)
sysconfig.get_config_var = get_config_var
sysconfig.get_paths = lambda *args, **kwargs: {{"include": "/usr/local/include/python2.7"}}
"#,
            include = include_dir.display().to_string()
        ),
    )
    .unwrap();
    let python = bin.join("python");
    write_executable(
        &python,
        &format!(
            "#!/bin/sh\nPYTHONPATH={} exec python3 \"$@\"\n",
            site.display()
        ),
    );
    python
}

fn assert_headers(python: &Path) -> Output {
    Command::new("sh")
        .arg(script("assert-dependencies.sh"))
        .args(["--python-headers", &python.display().to_string()])
        .output()
        .unwrap()
}

#[test]
fn python_headers_are_found_where_python_2_7_says_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let include = dir.path().join("usr/include/python2.7");
    fs::create_dir_all(&include).unwrap();
    fs::write(include.join("Python.h"), "/* header */\n").unwrap();
    let python = python27_like(dir.path(), &include);
    // The stand-in really answers as Python 2.7 does: the path the old check used is missing.
    let paths = Command::new(&python)
        .args([
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['include'])",
        ])
        .output()
        .unwrap();
    assert_eq!(text(&paths).trim(), "/usr/local/include/python2.7");

    let output = assert_headers(&python);
    assert!(output.status.success(), "{}", text(&output));
    assert!(
        text(&output).contains("all 1 checks passed"),
        "{}",
        text(&output)
    );
}

#[test]
fn missing_python_headers_fail_naming_the_folder_asked() {
    let dir = tempfile::tempdir().unwrap();
    let include = dir.path().join("usr/include/python2.7");
    fs::create_dir_all(&include).unwrap();
    let python = python27_like(dir.path(), &include);
    let output = assert_headers(&python);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(
        text(&output).contains(&format!("not in {}", include.display())),
        "{}",
        text(&output)
    );
}

#[test]
fn an_interpreter_that_does_not_run_fails_the_headers_check() {
    let output = assert_headers(Path::new("/nonexistent/python9"));
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    assert!(text(&output).contains("did not run"), "{}", text(&output));
}

/// An `alternatives` that keeps its groups as files under `state`, and refuses, as EL8's does,
/// to install a group whose name is taken with another primary link. `--set` makes the group's
/// link (`python` in `bin`) point at the choice.
fn alternatives_like_el8(bin: &Path, state: &Path, existing_group: Option<&str>) {
    fs::create_dir_all(state).unwrap();
    if let Some(link) = existing_group {
        fs::write(state.join("python"), link).unwrap();
    }
    write_executable(
        &bin.join("alternatives"),
        &format!(
            r#"#!/bin/sh
state={state}
echo "alternatives $*" >>"$state/calls"
case "$1" in
  --display) test -f "$state/$2" ;;
  --install)
    if [ -f "$state/$3" ] && [ "$(/bin/cat "$state/$3")" != "$2" ]; then
      echo "the primary link for $3 must be $(/bin/cat "$state/$3")" >&2
      exit 2
    fi
    echo "$2" >"$state/$3" ;;
  --set)
    test -f "$state/$2" || {{ echo "cannot access $state/$2: No such file or directory" >&2; exit 2; }}
    /bin/ln -sf "$3" {bin}/python ;;
  *) exit 2 ;;
esac
"#,
            state = state.display(),
            bin = bin.display()
        ),
    );
}

/// Runs setup-python.sh with only `bin` on PATH, and returns its output and `alternatives`'
/// calls.
fn setup_python(bin: &Path, state: &Path) -> (Output, String) {
    let output = Command::new("/bin/sh")
        .arg(script("setup-python.sh"))
        .env("PATH", bin)
        .output()
        .unwrap();
    let calls = fs::read_to_string(state.join("calls")).unwrap_or_default();
    (output, calls)
}

#[test]
fn setup_python_only_selects_python2_where_el8_has_the_group() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    write_executable(&bin.join("python2"), "#!/bin/sh\necho 'Python 2.7.18'\n");
    let state = dir.path().join("alternatives");
    alternatives_like_el8(&bin, &state, Some("/usr/bin/unversioned-python"));

    let (output, calls) = setup_python(&bin, &state);
    assert!(output.status.success(), "{}\n{calls}", text(&output));
    let python2 = bin.join("python2").display().to_string();
    assert_eq!(
        calls.lines().collect::<Vec<_>>(),
        [
            "alternatives --display python".to_owned(),
            format!("alternatives --set python {python2}")
        ]
    );
    assert_eq!(
        fs::read_link(bin.join("python")).unwrap(),
        Path::new(&python2)
    );
}

#[test]
fn setup_python_makes_the_group_where_there_is_none() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    write_executable(&bin.join("python3"), "#!/bin/sh\necho 'Python 3.12'\n");
    let state = dir.path().join("alternatives");
    alternatives_like_el8(&bin, &state, None);

    let (output, calls) = setup_python(&bin, &state);
    assert!(output.status.success(), "{}\n{calls}", text(&output));
    let python3 = bin.join("python3").display().to_string();
    assert!(
        calls.contains(&format!(
            "alternatives --install /usr/bin/python python {python3} 20"
        )),
        "{calls}"
    );
    assert_eq!(
        fs::read_link(bin.join("python")).unwrap(),
        Path::new(&python3)
    );
}

#[test]
fn setup_python_fails_when_no_python_is_installed() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let state = dir.path().join("alternatives");
    alternatives_like_el8(&bin, &state, None);
    let (output, _) = setup_python(&bin, &state);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output).contains("neither python2 nor python3"),
        "{}",
        text(&output)
    );
}

#[test]
fn every_script_file_is_built_in_so_a_tool_needs_no_rust_change() {
    let mut files: Vec<String> = fs::read_dir(script("."))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sh"))
        .collect();
    files.sort();
    assert_eq!(tcgen::render::script_names(), files);
}

#[test]
fn the_aws_cli_lands_in_usr_bin_as_upstream_installs_it() {
    let dir = tempfile::tempdir().unwrap();
    let bin = dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let record = dir.path().join("install-args");
    // Stand-ins: curl writes what it is asked for, gpg accepts the signature, and unzip
    // unpacks an installer that records how it was run.
    write_executable(
        &bin.join("curl"),
        "#!/bin/sh\nwhile [ $# -gt 1 ]; do [ \"$1\" = --output ] && : > \"$2\"; shift; done\n",
    );
    write_executable(&bin.join("gpg"), "#!/bin/sh\nexit 0\n");
    write_executable(
        &bin.join("unzip"),
        &format!(
            "#!/bin/sh\nmkdir -p \"$4/aws\"\nprintf '#!/bin/sh\\necho \"$*\" > {}\\n' > \"$4/aws/install\"\nchmod +x \"$4/aws/install\"\n",
            record.display()
        ),
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let output = Command::new("sh")
        .arg(script("install-awscli.sh"))
        .env("PATH", path)
        .env("AWSCLI_URL_BASE", "https://example.com/awscli")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output));
    assert_eq!(
        fs::read_to_string(&record).unwrap().trim(),
        "--bin-dir /usr/bin --update"
    );
}
