//! sha256 as tcgen writes it: lowercase hex, and the `sha256:<hex>` digests of images and
//! inputs.

use sha2::{Digest, Sha256};

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The lowercase hex sha256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Whether `text` is 64 hex digits, as a sha256 in hex; `lowercase_only` refuses `A`-`F`.
pub fn is_sha256_hex(text: &str, lowercase_only: bool) -> bool {
    text.len() == 64
        && text.bytes().all(|b| {
            b.is_ascii_digit()
                || (b'a'..=b'f').contains(&b)
                || (!lowercase_only && (b'A'..=b'F').contains(&b))
        })
}

/// Whether `digest` is `sha256:` and 64 lowercase hex digits, as registries report digests.
pub fn is_sha256_digest(digest: &str) -> bool {
    digest
        .strip_prefix("sha256:")
        .is_some_and(|hex| is_sha256_hex(hex, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_sha256_and_lowercase_hex() {
        let hex = sha256_hex(b"");
        assert!(is_sha256_digest(&format!("sha256:{hex}")));
        assert!(!is_sha256_digest(&format!("sha256:{}", hex.to_uppercase())));
        assert!(is_sha256_hex(&hex.to_uppercase(), false));
        assert!(!is_sha256_digest(&format!("sha512:{hex}")));
        assert!(!is_sha256_digest(&format!("sha256:{}", &hex[1..])));
    }
}
