//! "Did you mean": the closest of the names there are to one that is not, when one is close.

/// ` (did you mean 'x'?)`, naming the candidate closest to `name` by Jaro-Winkler similarity
/// when it is close enough (0.8), or nothing.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| format!(" (did you mean '{candidate}'?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_close_name_is_suggested_and_a_far_one_is_not() {
        let names = ["python", "maven", "ccache"];
        assert_eq!(did_you_mean("pyhton", names), " (did you mean 'python'?)");
        assert_eq!(did_you_mean("rust", names), "");
    }
}
