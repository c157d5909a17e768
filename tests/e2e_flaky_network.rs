//! A network fault caused on purpose: an image's apt step downloads its packages through a
//! proxy on 127.0.0.1 that drops the connection halfway through the first download of every
//! package file, as a mirror that goes away does. The image tcgen renders still builds, because its apt step
//! retries; the same Dockerfile with retries turned off fails, which shows the faults are real.
//!
//! Needs podman and the Debian base image (`.ci/setup-podman`), and reaches Debian's mirror
//! through the proxy; the build runs on the host network so that 127.0.0.1 is the proxy.

use std::collections::BTreeSet;
use std::fs;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod common;

/// How long the proxy serves before it stops by itself, and how many connections at most.
const PROXY_LIFETIME: Duration = Duration::from_secs(600);
const PROXY_CONNECTIONS: usize = 2_000;

/// What the proxy did: the package files it failed once, and the requests it passed on.
#[derive(Default)]
struct Record {
    failed: BTreeSet<String>,
    forwarded: Vec<String>,
}

/// Starts the proxy on a free port of 127.0.0.1 and returns the port and its record.
fn flaky_proxy() -> (u16, Arc<Mutex<Record>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let record = Arc::new(Mutex::new(Record::default()));
    let shared = Arc::clone(&record);
    let until = Instant::now() + PROXY_LIFETIME;
    std::thread::spawn(move || {
        for client in listener.incoming().take(PROXY_CONNECTIONS) {
            if Instant::now() > until {
                break;
            }
            let Ok(client) = client else { continue };
            let record = Arc::clone(&shared);
            std::thread::spawn(move || serve(client, &record));
        }
    });
    (port, record)
}

/// Answers one proxy request (`GET http://host/path HTTP/1.1`) with the origin's answer and
/// closes the connection; for the first request of each `.deb`, only half the answer.
fn serve(mut client: TcpStream, record: &Mutex<Record>) {
    let timeout = Some(Duration::from_secs(60));
    let _ = client.set_read_timeout(timeout);
    let _ = client.set_write_timeout(timeout);
    let Some(head) = read_head(&mut client) else {
        return;
    };
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default().to_owned();
    let mut words = request_line.split(' ');
    let (Some(method), Some(url)) = (words.next(), words.next()) else {
        return;
    };
    let Some((host, path)) = url.strip_prefix("http://").and_then(|r| r.split_once('/')) else {
        return;
    };
    let fail = path.ends_with(".deb") && record.lock().unwrap().failed.insert(url.to_owned());
    let mut request = format!("{method} /{path} HTTP/1.1\r\n");
    for line in lines.filter(|l| !l.is_empty()) {
        let name = line
            .split(':')
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !matches!(
            name.as_str(),
            "connection" | "proxy-connection" | "keep-alive"
        ) {
            request.push_str(line);
            request.push_str("\r\n");
        }
    }
    request.push_str("Connection: close\r\n\r\n");
    let address = if host.contains(':') {
        host.to_owned()
    } else {
        format!("{host}:80")
    };
    let Ok(mut origin) = TcpStream::connect(address) else {
        return;
    };
    let _ = origin.set_read_timeout(timeout);
    if origin.write_all(request.as_bytes()).is_err() {
        return;
    }
    if fail {
        // A mirror that goes away mid-file: the answer starts, then the connection drops.
        let mut answer = Vec::new();
        let _ = origin.read_to_end(&mut answer);
        let _ = client.write_all(&answer[..answer.len() / 2]);
        let _ = client.shutdown(std::net::Shutdown::Both);
        return;
    }
    record.lock().unwrap().forwarded.push(url.to_owned());
    let _ = std::io::copy(&mut origin, &mut client);
}

/// The request line and headers, up to the blank line (a proxied GET has no body).
fn read_head(client: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if head.len() > 64 * 1024 || client.read(&mut byte).ok()? == 0 {
            return None;
        }
        head.push(byte[0]);
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// Renders the fixture with a distro name of its own (so that its package caches start
/// empty), and returns the folder and the Dockerfile's path inside it.
fn rendered(name: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let spec = fs::read_to_string(common::fixture("e2e-flaky.yaml"))
        .unwrap()
        .replace("DISTRO", name);
    fs::write(dir.path().join("distros.yaml"), spec).unwrap();
    common::assert_succeeded(&common::run(dir.path(), &["render"]));
    let dockerfile = dir.path().join(format!("generated/{name}.Dockerfile"));
    (dir, dockerfile)
}

/// `podman build` of `dockerfile` on the host network, its downloads through the proxy at
/// `port`.
fn build_through(port: u16, dir: &Path, dockerfile: &Path, tag: &str) -> Output {
    let proxy = format!("http://127.0.0.1:{port}");
    let output = Command::new("podman")
        .current_dir(dir)
        .args(["build", "--network", "host", "--no-cache", "-t", tag, "-f"])
        .arg(dockerfile)
        .args(["--build-arg", &format!("http_proxy={proxy}")])
        .arg("generated/context")
        .output()
        .unwrap();
    let _ = Command::new("podman").args(["rmi", "-f", tag]).output();
    output
}

/// A name no earlier run used, so that no package cache holds the files already.
fn fresh_name(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("{label}{}x{nanos}", std::process::id())
}

#[test]
#[ignore = "needs podman, a Debian base image and Debian's mirror: sudo .ci/setup-podman"]
fn an_image_builds_through_a_mirror_that_fails_each_package_file_once() {
    common::require_podman();

    // Control: the same Dockerfile with apt's retries off fails, so the proxy's faults are real.
    let name = fresh_name("off");
    let (dir, dockerfile) = rendered(&name);
    let text = fs::read_to_string(&dockerfile).unwrap();
    assert!(text.contains("Acquire::Retries \"10\";"), "{text}");
    let off = dir.path().join("retries-off.Dockerfile");
    fs::write(
        &off,
        text.replace("Acquire::Retries \"10\";", "Acquire::Retries \"0\";"),
    )
    .unwrap();
    let (port, record) = flaky_proxy();
    let output = build_through(port, dir.path(), &off, &format!("localhost/{name}"));
    assert!(!output.status.success(), "{}", common::text(&output));
    assert!(
        !record.lock().unwrap().failed.is_empty(),
        "the proxy failed no package file: {}",
        common::text(&output)
    );

    // The Dockerfile as tcgen renders it rides the same faults out.
    let name = fresh_name("on");
    let (dir, dockerfile) = rendered(&name);
    let (port, record) = flaky_proxy();
    let output = build_through(port, dir.path(), &dockerfile, &format!("localhost/{name}"));
    let record = record.lock().unwrap();
    assert!(
        output.status.success(),
        "failed {:?}\n{}",
        record.failed,
        common::text(&output)
    );
    assert!(
        !record.failed.is_empty(),
        "the proxy failed no package file"
    );
    for url in &record.failed {
        assert!(
            record.forwarded.contains(url),
            "{url} failed once and was not fetched again"
        );
    }
}
