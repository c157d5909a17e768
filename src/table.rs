//! Aligned text tables, as `tcgen list` and the build summary print them.

/// The rows under `header`, each column as wide as its widest cell, two spaces apart, with no
/// trailing spaces. `paint` styles a padded cell: it gets the row (`None` for the header), the
/// column and the cell.
pub fn aligned(
    header: &[&str],
    rows: &[Vec<String>],
    paint: &dyn Fn(Option<usize>, usize, String) -> String,
) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.len());
        }
    }
    let line = |row: Option<usize>, cells: &mut dyn Iterator<Item = &str>| {
        let padded: Vec<String> = cells
            .zip(&widths)
            .enumerate()
            .map(|(column, (cell, width))| paint(row, column, format!("{cell:width$}")))
            .collect();
        format!("{}\n", padded.join("  ").trim_end())
    };
    let mut text = line(None, &mut header.iter().copied());
    for (index, row) in rows.iter().enumerate() {
        text.push_str(&line(Some(index), &mut row.iter().map(String::as_str)));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_and_lines_end_without_spaces() {
        let rows = vec![
            vec!["a".to_owned(), "long cell".to_owned(), String::new()],
            vec!["longer".to_owned(), "b".to_owned(), String::new()],
        ];
        let text = aligned(&["X", "Y", "Z"], &rows, &|_, _, cell| cell);
        assert_eq!(text, "X       Y          Z\na       long cell\nlonger  b\n");
    }
}
