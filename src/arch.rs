//! The one table of architectures: OCI platform, Debian (dpkg) name, RPM name and `uname -m`.
//! Nothing else in tcgen spells an architecture.

use oci_spec::image::{Arch, Os};

/// One architecture under each of its names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Architecture {
    /// OCI platform string, as bake and `--platform` take it.
    pub platform: &'static str,
    /// The architecture as Debian's dpkg names it.
    pub dpkg: &'static str,
    /// The architecture as RPM names it; also what `uname -m` prints.
    pub rpm: &'static str,
}

/// Every architecture tcgen can build for.
pub const ARCHITECTURES: &[Architecture] = &[
    Architecture {
        platform: "linux/amd64",
        dpkg: "amd64",
        rpm: "x86_64",
    },
    Architecture {
        platform: "linux/arm64",
        dpkg: "arm64",
        rpm: "aarch64",
    },
    Architecture {
        platform: "linux/ppc64le",
        dpkg: "ppc64el",
        rpm: "ppc64le",
    },
    Architecture {
        platform: "linux/s390x",
        dpkg: "s390x",
        rpm: "s390x",
    },
];

/// Looks a platform up in the table, after checking it is a well-formed OCI platform.
/// The error says what is wrong and lists the platforms that are known.
pub fn lookup_platform(platform: &str) -> Result<&'static Architecture, String> {
    let known = || {
        ARCHITECTURES
            .iter()
            .map(|a| a.platform)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut parts = platform.split('/');
    let (Some(os), Some(arch)) = (parts.next(), parts.next()) else {
        return Err(format!(
            "platform '{platform}' is not of the form OS/ARCH; use one of: {}",
            known()
        ));
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
    ARCHITECTURES
        .iter()
        .find(|a| a.platform == platform)
        .ok_or_else(|| {
            format!(
                "platform '{platform}' is not one tcgen builds for; use one of: {}",
                known()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_platforms_resolve_to_their_names() {
        let arm = lookup_platform("linux/arm64").unwrap();
        assert_eq!((arm.dpkg, arm.rpm), ("arm64", "aarch64"));
    }

    #[test]
    fn malformed_and_unknown_platforms_are_refused() {
        assert!(lookup_platform("amd64").unwrap_err().contains("OS/ARCH"));
        assert!(
            lookup_platform("beos/amd64")
                .unwrap_err()
                .contains("unknown OS")
        );
        assert!(
            lookup_platform("linux/z80")
                .unwrap_err()
                .contains("unknown architecture")
        );
        assert!(
            lookup_platform("linux/riscv64")
                .unwrap_err()
                .contains("not one tcgen builds for")
        );
    }
}
