//! The one list of platforms tcgen builds for. Nothing else in tcgen spells an architecture.

use oci_spec::image::{Arch, Os};

/// Every OCI platform tcgen can build for, as bake and `--platform` take it.
pub const PLATFORMS: &[&str] = &["linux/amd64", "linux/arm64", "linux/ppc64le", "linux/s390x"];

/// The architecture of a platform (`arm64` of `linux/arm64`), as per-platform tags and CI
/// matrices name it.
pub fn arch_of(platform: &str) -> &str {
    platform.split('/').nth(1).unwrap_or(platform)
}

/// Checks that `platform` is a well-formed OCI platform that tcgen builds for. The error says
/// what is wrong and lists the platforms that are known.
pub fn check_platform(platform: &str) -> Result<(), String> {
    let known = || PLATFORMS.join(", ");
    let parts: Vec<&str> = platform.split('/').collect();
    let (os, arch) = match parts.as_slice() {
        [os, arch] => (*os, *arch),
        ["linux", "arm64", "v8"] => {
            return Err(format!(
                "write linux/arm64 for '{platform}': v8 is arm64's only variant, and builders name the platform without it"
            ));
        }
        [_, _, variant] => {
            return Err(format!(
                "platform '{platform}' names a variant ({variant}); tcgen builds only whole architectures: {}",
                known()
            ));
        }
        _ => {
            return Err(format!(
                "platform '{platform}' is not of the form OS/ARCH; use one of: {}",
                known()
            ));
        }
    };
    if let Os::Other(_) = Os::from(os) {
        return Err(format!(
            "platform '{platform}' names an unknown OS '{os}'; use one of: {}",
            known()
        ));
    }
    if let Arch::Other(_) = Arch::from(arch) {
        return Err(format!(
            "platform '{platform}' names an unknown architecture '{arch}'; use one of: {}",
            known()
        ));
    }
    if PLATFORMS.contains(&platform) {
        Ok(())
    } else {
        Err(format!(
            "platform '{platform}' is not one tcgen builds for; use one of: {}",
            known()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_platforms_pass() {
        for platform in PLATFORMS {
            assert_eq!(check_platform(platform), Ok(()));
        }
    }

    #[test]
    fn malformed_unknown_and_variant_platforms_are_refused_saying_why() {
        let refusal = |p: &str| check_platform(p).unwrap_err();
        assert!(refusal("amd64").contains("OS/ARCH"));
        assert!(refusal("beos/amd64").contains("unknown OS"));
        assert!(refusal("linux/z80").contains("unknown architecture"));
        assert!(refusal("linux/riscv64").contains("not one tcgen builds for"));
        assert!(refusal("linux/arm64/v8").contains("write linux/arm64"));
        assert!(refusal("linux/arm/v7").contains("names a variant (v7)"));
        assert!(refusal("linux/amd64/v3/x").contains("OS/ARCH"));
    }
}
