//! The order in which people read distro names.

/// Compares names as people read them: runs of digits by their value, so that redhat9 comes
/// before redhat10.
pub fn natural_order(a: &str, b: &str) -> std::cmp::Ordering {
    fn runs(text: &str) -> Vec<(bool, &str)> {
        let mut runs = Vec::new();
        let mut start = 0;
        for (i, c) in text.char_indices().skip(1) {
            let previous = text[..i]
                .chars()
                .next_back()
                .is_some_and(|p| p.is_ascii_digit());
            if previous != c.is_ascii_digit() {
                runs.push((previous, &text[start..i]));
                start = i;
            }
        }
        if !text.is_empty() {
            let digits = text[start..].starts_with(|c: char| c.is_ascii_digit());
            runs.push((digits, &text[start..]));
        }
        runs
    }
    let key = |run: &(bool, &str)| match run {
        (true, digits) => {
            let trimmed = digits.trim_start_matches('0');
            (0, trimmed.len(), trimmed.to_owned())
        }
        (false, text) => (1, 0, (*text).to_owned()),
    };
    let (a_runs, b_runs) = (runs(a), runs(b));
    a_runs
        .iter()
        .map(key)
        .cmp(b_runs.iter().map(key))
        .then_with(|| a.cmp(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_sort_as_people_read_them() {
        let mut names = vec![
            "redhat10",
            "ubuntu2004",
            "redhat9",
            "redhat7",
            "sles15",
            "redhat8",
            "a01",
            "a1",
        ];
        names.sort_by(|a, b| natural_order(a, b));
        assert_eq!(
            names,
            [
                "a01",
                "a1",
                "redhat7",
                "redhat8",
                "redhat9",
                "redhat10",
                "sles15",
                "ubuntu2004"
            ]
        );
    }
}
