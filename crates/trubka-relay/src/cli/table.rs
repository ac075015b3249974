//! Plain-text tables for the admin's terminal (`agent list`, `contacts list`): columns two
//! spaces apart, each as wide as its widest cell.

use std::io::{self, Write};

/// Writes `header` and then `rows`. Widths count characters, not bytes: names are often
/// Cyrillic.
pub(super) fn write_columns<const N: usize>(
    out: &mut impl Write,
    header: [&str; N],
    rows: &[[String; N]],
) -> io::Result<()> {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(cell, width)| format!("{cell}{}", " ".repeat(width - cell.chars().count())))
            .collect();
        padded.join("  ").trim_end().to_owned()
    };
    writeln!(out, "{}", line(&header.map(str::to_owned)))?;
    for row in rows {
        writeln!(out, "{}", line(row))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_line_up_by_characters_and_lines_end_without_spaces() {
        let mut out = Vec::new();
        let rows = [
            ["Анна".to_owned(), "100".to_owned()],
            ["Bo".to_owned(), String::new()],
        ];
        write_columns(&mut out, ["ИМЯ", "UIS"], &rows).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "ИМЯ   UIS\nАнна  100\nBo\n"
        );
    }
}
