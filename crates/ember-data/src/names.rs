//! Suggestions for misspelt names.

/// The candidate closest to `name` when it is a near miss (a few edits away), for
/// "did you mean …?" hints.
///
/// ```
/// let names = ["iris", "wine", "digits"];
/// assert_eq!(ember_data::did_you_mean("irsi", names), Some("iris"));
/// assert_eq!(ember_data::did_you_mean("mnist", names), None);
/// ```
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}
