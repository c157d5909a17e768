//! After a failed move: the name tags already moved are pointed back where they were.

use super::{Move, PublishOptions, at_root};
use crate::error::Result;
use crate::process;
use crate::style::Styles;

/// Points the name tags of `moved` back at what they pointed at before, and says what was
/// restored and what could not be.
pub(super) fn restore(options: PublishOptions, moved: &[Move], styles: Styles) -> Result<()> {
    if moved.is_empty() {
        eprintln!("no name tag had moved: every one is where it was");
        return Ok(());
    }
    for done in moved.iter().rev() {
        let tag = &done.release.tag;
        let Some(before) = &done.from else {
            eprintln!(
                "{} {tag} did not exist before this run and now points at {}: a registry tag cannot be taken back here; delete it by hand if it must go",
                styles.err.warning("not restored:"),
                done.to
            );
            continue;
        };
        let earlier = format!("{}@{before}", repository(tag));
        let back = at_root(
            options.engine.driver().copy_tag(&earlier, tag),
            options.root,
        );
        match process::run_held(&back)? {
            (0, _) => eprintln!(
                "{} {tag} points at {before} again",
                styles.err.good("restored:")
            ),
            (code, stderr) => eprintln!(
                "{} {tag} still points at {} (moving it back to {before} failed with exit code {code}: {stderr}); run tcgen publish again",
                styles.err.error("not restored:"),
                done.to
            ),
        }
    }
    Ok(())
}

/// The repository of a tag without a tag of its own (`reg.example.com:5000/ns/image`).
fn repository(tag: &str) -> &str {
    let after_host = tag.find('/').map_or(0, |slash| slash + 1);
    match tag[after_host..].rfind(':') {
        Some(colon) => &tag[..after_host + colon],
        None => tag,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repository_of_a_name_tag_keeps_its_registry_port() {
        assert_eq!(repository("localhost:5055/ns/img"), "localhost:5055/ns/img");
        assert_eq!(
            repository("localhost:5055/ns/img:abc"),
            "localhost:5055/ns/img"
        );
        assert_eq!(repository("img"), "img");
    }
}
