//! Image references (`[REGISTRY/]NAME[:TAG][@DIGEST]`), checked against the grammar of the
//! distribution project's reference package. A hand-written parser: it decides the same as the
//! regular expression behind `oci_spec::distribution::Reference` (a test compares the two on
//! generated input) at a tiny fraction of its start-up cost, which was most of a `render`.

/// The longest name (registry and repository) a registry accepts.
const NAME_MAX: usize = 255;
/// The longest tag.
const TAG_MAX: usize = 128;

/// A checked image reference: what tcgen needs of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference<'a> {
    /// Tag, if any.
    pub tag: Option<&'a str>,
    /// Digest (`sha256:...`), if any.
    pub digest: Option<&'a str>,
}

impl ImageReference<'_> {
    /// Whether the reference names a tag or a digest; without one, engines use `latest`.
    pub fn is_pinned(&self) -> bool {
        self.tag.is_some() || self.digest.is_some()
    }
}

/// A registry prefix of image names (`HOST[:PORT][/PATH]`), given with or without its trailing
/// slash: returned without it, so that `<prefix>/<image>` is every tag. A value that cannot start
/// an image reference (a scheme, capitals in the path, spaces) is refused with the accepted form.
pub fn registry_prefix(value: &str) -> Result<String, String> {
    let prefix = value.trim_end_matches('/');
    let accepted = "write it as HOST[:PORT][/PATH], such as my-registry.example.com/toolchain or localhost:5000/ns: no scheme, a lowercase path, no spaces";
    if prefix.is_empty() {
        return Err(format!("the registry prefix is empty; {accepted}"));
    }
    if prefix.contains("://") {
        return Err(format!("'{value}' has a scheme; {accepted}"));
    }
    parse(&format!("{prefix}/image"))
        .map(|_| prefix.to_owned())
        .map_err(|e| format!("'{value}' cannot start an image name ({e}); {accepted}"))
}

/// Parses and checks `text`; the error says which part is wrong.
pub fn parse(text: &str) -> Result<ImageReference<'_>, String> {
    let (rest, digest) = match text.split_once('@') {
        Some((rest, digest)) => {
            check_digest(digest)?;
            (rest, Some(digest))
        }
        None => (text, None),
    };
    let (name, tag) = match rest.rfind(':') {
        Some(colon) if !rest[colon..].contains('/') => (&rest[..colon], Some(&rest[colon + 1..])),
        _ => (rest, None),
    };
    if let Some(tag) = tag {
        check_tag(tag)?;
    }
    if name.is_empty() {
        return Err("the name is empty".to_owned());
    }
    // A first component that is a host with a dot, a port or `localhost` names the registry
    // whatever follows, so that a fault in the path is blamed on the path, not on the host.
    let names_host = |first: &str| first.contains(['.', ':']) || first == "localhost";
    let path = match name.split_once('/') {
        Some((first, path))
            if is_domain(first)
                && (names_host(first) || path.split('/').all(is_path_component)) =>
        {
            path
        }
        _ => name,
    };
    if let Some(bad) = path.split('/').find(|c| !is_path_component(c)) {
        return Err(if bad.chars().any(|c| c.is_ascii_uppercase()) {
            format!("'{bad}' has capital letters; repository names are lowercase")
        } else {
            format!(
                "'{bad}' is not a repository name component (lowercase letters and digits, joined by '.', '_', '__' or dashes)"
            )
        });
    }
    if repository_len(name) > NAME_MAX {
        return Err(format!(
            "the repository name is longer than {NAME_MAX} characters"
        ));
    }
    Ok(ImageReference { tag, digest })
}

/// The length of the repository part as registries see it: without a registry host, and with
/// Docker Hub's `library/` for a one-component name.
fn repository_len(name: &str) -> usize {
    let (host, repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (first, rest),
        _ => ("docker.io", name),
    };
    let hub = matches!(host, "docker.io" | "index.docker.io");
    repository.len()
        + if hub && !repository.contains('/') {
            "library/".len()
        } else {
            0
        }
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or a run of `-`.
fn is_path_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let mut i = 0;
    loop {
        let start = i;
        while i < bytes.len() && alnum(bytes[i]) {
            i += 1;
        }
        if i == start {
            return false;
        }
        if i == bytes.len() {
            return true;
        }
        let separator = i;
        while i < bytes.len() && !alnum(bytes[i]) {
            i += 1;
        }
        let separator = &component[separator..i];
        let allowed = matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-');
        if !allowed {
            return false;
        }
    }
}

/// A registry: a host name or IPv4 address, with an optional numeric port.
fn is_domain(domain: &str) -> bool {
    let (host, port) = domain.split_once(':').unwrap_or((domain, "0"));
    !port.is_empty()
        && port.bytes().all(|b| b.is_ascii_digit())
        && host.split('.').all(is_domain_component)
}

/// `[a-zA-Z0-9]` or `[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]`.
fn is_domain_component(component: &str) -> bool {
    let bytes = component.as_bytes();
    match (bytes.first(), bytes.last()) {
        (Some(first), Some(last)) => {
            first.is_ascii_alphanumeric()
                && last.is_ascii_alphanumeric()
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
        }
        _ => false,
    }
}

/// `[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}`.
fn check_tag(tag: &str) -> Result<(), String> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let bytes = tag.as_bytes();
    let valid = bytes.first().is_some_and(|b| word(*b))
        && bytes.len() <= TAG_MAX
        && bytes.iter().all(|b| word(*b) || *b == b'.' || *b == b'-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "'{tag}' is not a tag (up to {TAG_MAX} letters, digits, '_', '.' and '-', not starting with '.' or '-')"
        ))
    }
}

/// `sha256:`, `sha384:` or `sha512:` and the matching number of hex digits.
fn check_digest(digest: &str) -> Result<(), String> {
    let length = match digest.split_once(':') {
        Some(("sha256", hex)) => Some((hex, 64)),
        Some(("sha384", hex)) => Some((hex, 96)),
        Some(("sha512", hex)) => Some((hex, 128)),
        _ => None,
    };
    match length {
        Some((hex, length))
            if hex.len() == length && hex.bytes().all(|b| b.is_ascii_hexdigit()) =>
        {
            Ok(())
        }
        _ => Err(format!(
            "'{digest}' is not a digest (write it as sha256: and 64 hex digits)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tag_and_digest() {
        let r = parse("registry.suse.com:5000/suse/sle15:15.4").unwrap();
        assert_eq!((r.tag, r.digest), (Some("15.4"), None));
        assert!(r.is_pinned());
        let r = parse("localhost:5000/debian12-base").unwrap();
        assert_eq!((r.tag, r.digest), (None, None));
        assert!(!r.is_pinned());
        assert!(
            parse(&format!("ubuntu@sha256:{}", "a".repeat(64)))
                .unwrap()
                .is_pinned()
        );
    }

    #[test]
    fn a_fault_in_the_path_is_blamed_on_the_path() {
        let error = parse("localhost:5057/NewComer/image").unwrap_err();
        assert!(error.contains("'NewComer' has capital letters"), "{error}");
        let error = registry_prefix("localhost:5057/NewComer").unwrap_err();
        assert!(
            error.contains("'NewComer'") && !error.contains("'localhost:5057' is not"),
            "{error}"
        );
    }

    #[test]
    fn rejects_with_a_reason() {
        for (bad, reason) in [
            ("Ubuntu:22.04", "capital letters"),
            ("ubuntu:-x", "is not a tag"),
            ("ubuntu@sha256:abc", "is not a digest"),
            ("ubuntu:é", "is not a tag"),
            ("", "empty"),
            ("a//b", "not a repository name component"),
        ] {
            let error = parse(bad).unwrap_err();
            assert!(error.contains(reason), "{bad}: {error}");
        }
    }

    /// Every string over an alphabet of the grammar's interesting characters, up to a length,
    /// plus a stream of longer pseudo-random ones: this parser and oci-spec's regular
    /// expression accept exactly the same. (On purpose, tags are ASCII only here, where
    /// oci-spec's `\w` also takes other Unicode letters that no registry accepts.)
    #[test]
    fn agrees_with_oci_spec_on_generated_references() {
        use oci_spec::distribution::Reference;
        let alphabet = ['a', 'B', '0', ':', '/', '.', '_', '-', '@'];
        let mut inputs: Vec<String> = vec![String::new()];
        let mut frontier = vec![String::new()];
        for _ in 0..5 {
            frontier = frontier
                .iter()
                .flat_map(|s| alphabet.iter().map(move |c| format!("{s}{c}")))
                .collect();
            inputs.extend(frontier.iter().cloned());
        }
        let pieces = [
            "a",
            "b9",
            "localhost",
            "reg.io",
            ":5000",
            "/",
            ".",
            "__",
            "_",
            "---",
            ":",
            "@",
            "sha256:",
            "sha512:",
            &"0123456789abcdef".repeat(4),
            "Tag",
            "X",
            "1.2",
            "-",
            "example.com",
            &"abcdefghij".repeat(25),
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(state % 7 + 1) {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                s.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            inputs.push(s);
        }
        let mut disagreements = Vec::new();
        for input in &inputs {
            let ours = parse(input).is_ok();
            let theirs = input.parse::<Reference>().is_ok();
            if ours != theirs {
                disagreements.push(format!("{input:?}: tcgen {ours}, oci-spec {theirs}"));
            }
        }
        assert!(
            disagreements.is_empty(),
            "{} of {} disagree, e.g.:\n{}",
            disagreements.len(),
            inputs.len(),
            disagreements[..disagreements.len().min(20)].join("\n")
        );
    }
}
