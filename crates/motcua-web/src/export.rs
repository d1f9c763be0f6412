//! Every table of the figures pages as CSV (UTF-8 with a byte-order mark, so that spreadsheet
//! programs read the Vietnamese right) or XLSX (numbers stay numbers).

use axum::http::header;
use axum::response::{IntoResponse, Response};
use motcua_app::AppError;

use crate::error::PageError;

/// One cell: text, a whole number, or a figure that may be N/A.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    Figure(Option<f64>),
}

impl Cell {
    /// As a page shows it (decimal comma).
    pub fn shown(&self) -> String {
        match self {
            Cell::Figure(x) => crate::fmt::figure(x),
            other => other.as_text(),
        }
    }

    /// Numbers align right in tables.
    pub fn is_number(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }

    fn as_text(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Int(n) => n.to_string(),
            Cell::Figure(Some(x)) => format!("{x:.2}"),
            Cell::Figure(None) => "N/A".into(),
        }
    }
}

/// A table as the page shows it.
#[derive(Debug, Clone)]
pub struct Table {
    /// File name without extension, ASCII.
    pub file: String,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

/// The formats a table downloads in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    pub fn parse(ext: &str) -> Option<Format> {
        match ext {
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        }
    }
}

fn internal(e: impl std::fmt::Display) -> PageError {
    PageError(AppError::Internal(format!("export: {e}")))
}

impl Table {
    pub fn to_csv(&self) -> Result<Vec<u8>, PageError> {
        let mut out = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        out.write_record(&self.headers).map_err(internal)?;
        for row in &self.rows {
            out.write_record(row.iter().map(Cell::as_text))
                .map_err(internal)?;
        }
        out.into_inner().map_err(internal)
    }

    pub fn to_xlsx(&self) -> Result<Vec<u8>, PageError> {
        use rust_xlsxwriter::{Format as CellFormat, Workbook};
        let mut book = Workbook::new();
        let bold = CellFormat::new().set_bold();
        let figure = CellFormat::new().set_num_format("0.00");
        let sheet = book.add_worksheet();
        sheet
            .write_string_with_format(0, 0, &self.title, &bold)
            .map_err(internal)?;
        for (c, h) in self.headers.iter().enumerate() {
            sheet
                .write_string_with_format(2, c as u16, *h, &bold)
                .map_err(internal)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 3;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => sheet.write_string(r, c, t).map(|_| ()),
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Figure(Some(x)) => sheet
                        .write_number_with_format(r, c, *x, &figure)
                        .map(|_| ()),
                    Cell::Figure(None) => sheet.write_string(r, c, "N/A").map(|_| ()),
                }
                .map_err(internal)?;
            }
        }
        book.save_to_buffer().map_err(internal)
    }

    /// The table as a download.
    pub fn download(&self, format: Format) -> Result<Response, PageError> {
        let (bytes, mime, ext) = match format {
            Format::Csv => (self.to_csv()?, "text/csv; charset=utf-8", "csv"),
            Format::Xlsx => (
                self.to_xlsx()?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            ),
        };
        let disposition = format!("attachment; filename=\"{}.{ext}\"", self.file);
        Ok((
            [
                (header::CONTENT_TYPE, mime.to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn table() -> Table {
        Table {
            file: "bang".into(),
            title: "Bảng thử".into(),
            headers: vec!["Tên", "Số", "Tỷ lệ"],
            rows: vec![
                vec![
                    Cell::Text("Sở Tư pháp, \"mới\"".into()),
                    Cell::Int(3),
                    Cell::Figure(Some(66.666)),
                ],
                vec![
                    Cell::Text("UBND xã".into()),
                    Cell::Int(0),
                    Cell::Figure(None),
                ],
            ],
        }
    }

    #[test]
    fn csv_quotes_and_marks_utf8() {
        let bytes = table().to_csv().unwrap();
        assert_eq!(&bytes[..3], &[0xEF, 0xBB, 0xBF]);
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        assert_eq!(
            text,
            "Tên,Số,Tỷ lệ\n\"Sở Tư pháp, \"\"mới\"\"\",3,66.67\nUBND xã,0,N/A\n"
        );
    }

    #[test]
    fn xlsx_is_a_workbook() {
        let bytes = table().to_xlsx().unwrap();
        assert_eq!(&bytes[..2], b"PK");
        let names = String::from_utf8_lossy(&bytes);
        assert!(names.contains("xl/worksheets/sheet1.xml"));
        assert!(names.contains("xl/sharedStrings.xml"));
    }
}
