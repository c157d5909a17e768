//! The local registry of the end-to-end tests (`.ci/setup-podman` starts it on
//! localhost:5055) and the two-platform base `.ci/setup-multiarch` pushes there.
#![allow(dead_code)] // each test binary uses only some of it

/// The local registry `.ci/setup-podman` starts on localhost:5055 (Debian's docker-registry).
/// Fails the test, saying how to get one, without the local registry.
pub fn require_registry() {
    let answers = || -> std::io::Result<bool> {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect("127.0.0.1:5055")?;
        stream.write_all(b"GET /v2/ HTTP/1.0\r\n\r\n")?;
        let mut reply = String::new();
        stream.read_to_string(&mut reply)?;
        Ok(reply.starts_with("HTTP/1.1 200") || reply.starts_with("HTTP/1.0 200"))
    };
    assert!(
        answers().unwrap_or(false),
        "the registry test needs a registry on localhost:5055: run `sudo .ci/setup-podman` to start one"
    );
}

/// A scratch folder named with `prefix`, and a namespace of the local registry named after it,
/// so that every run pushes where no earlier one did.
pub fn scratch_namespace(prefix: &str) -> (tempfile::TempDir, String) {
    let dir = tempfile::Builder::new().prefix(prefix).tempdir().unwrap();
    let name = dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .to_lowercase();
    (dir, format!("localhost:5055/{name}"))
}

/// The manifest digest a registry holds for `reference`, or `None` when it has no such tag.
pub fn registry_digest(reference: &str) -> Option<String> {
    let output = std::process::Command::new("skopeo")
        .args(["inspect", "--format", "{{.Digest}}"])
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap();
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

/// Fails the test, saying how to get them, without arm64 emulation and the two-platform base.
pub fn require_multiarch() {
    let base = std::process::Command::new("skopeo")
        .args([
            "inspect",
            "--raw",
            "docker://localhost:5055/tcgen-base/debian12",
        ])
        .output();
    assert!(
        std::path::Path::new("/proc/sys/fs/binfmt_misc/qemu-aarch64").exists()
            && base.is_ok_and(|o| o.status.success()),
        "multi-platform tests need QEMU for arm64 and the base manifest list: run `sudo .ci/setup-multiarch`"
    );
}

/// The sha256 of the manifest (or index) the registry serves for `reference`, byte for byte;
/// `None` when it has no such tag.
pub fn raw_digest(reference: &str) -> Option<String> {
    use sha2::Digest as _;
    let output = std::process::Command::new("skopeo")
        .args(["inspect", "--raw"])
        .arg(format!("docker://{reference}"))
        .output()
        .unwrap();
    output.status.success().then(|| {
        let hash = sha2::Sha256::digest(&output.stdout);
        let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    })
}

/// The platforms (`os/architecture`) of the manifest list the registry serves for `reference`,
/// sorted; fails the test when it is no list.
pub fn list_platforms(reference: &str) -> Vec<String> {
    let raw = std::process::Command::new("skopeo")
        .args(["inspect", "--raw", &format!("docker://{reference}")])
        .output()
        .unwrap();
    let list: serde_json::Value = serde_json::from_slice(&raw.stdout).unwrap();
    let mut platforms: Vec<String> = list["manifests"]
        .as_array()
        .unwrap_or_else(|| panic!("{reference} is not a manifest list: {list}"))
        .iter()
        .map(|m| {
            let platform = &m["platform"];
            format!(
                "{}/{}",
                platform["os"].as_str().unwrap(),
                platform["architecture"].as_str().unwrap()
            )
        })
        .collect();
    platforms.sort();
    platforms
}

/// What `uname -m` says in `image` (pulled again) run for the platform `platform`.
pub fn machine_in(image: &str, platform: &str) -> String {
    let output = std::process::Command::new("podman")
        .args([
            "run",
            "--rm",
            "--pull",
            "always",
            "--platform",
            platform,
            image,
            "uname",
            "-m",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
