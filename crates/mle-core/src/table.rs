//! A small numeric CSV table (header row, numbers only) for examples and embedded data.

use nalgebra::DMatrix;

use crate::design::Design;
use crate::error::{MleError, Result};

/// Numeric columns read from CSV text with a header row.
///
/// ```
/// use mle_core::table::NumericTable;
/// let t = NumericTable::parse("y,x\n1,2\n3,4\n").unwrap();
/// assert_eq!(t.column("x").unwrap(), vec![2.0, 4.0]);
/// let x = t.design(&["x"], true).unwrap();
/// assert_eq!(x.names(), ["(Intercept)", "x"]);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NumericTable {
    names: Vec<String>,
    columns: Vec<Vec<f64>>,
}

impl NumericTable {
    /// Parses CSV text: a header, then rows of numbers (quotes around names are removed).
    ///
    /// ```
    /// use mle_core::table::NumericTable;
    /// assert!(NumericTable::parse("a\nnot-a-number\n").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Self> {
        let mut lines = text.lines().filter(|l| !l.trim().is_empty());
        let header = lines.next().ok_or(MleError::EmptyData)?;
        let names: Vec<String> = header
            .split(',')
            .map(|s| s.trim().trim_matches('"').to_string())
            .collect();
        let mut columns = vec![Vec::new(); names.len()];
        for (row, line) in lines.enumerate() {
            let fields: Vec<&str> = line.split(',').collect();
            if fields.len() != names.len() {
                return Err(MleError::DimensionMismatch {
                    what: format!("fields in row {row}"),
                    expected: names.len(),
                    got: fields.len(),
                });
            }
            for (j, f) in fields.iter().enumerate() {
                let v = f
                    .trim()
                    .trim_matches('"')
                    .parse::<f64>()
                    .map_err(|_| MleError::InvalidDesign {
                        reason: format!("row {row}, column `{}`: `{f}` is not a number", names[j]),
                    })?;
                columns[j].push(v);
            }
        }
        Ok(NumericTable { names, columns })
    }

    /// Column names.
    ///
    /// ```
    /// let t = mle_core::table::NumericTable::parse("a,b\n1,2\n").unwrap();
    /// assert_eq!(t.names(), ["a", "b"]);
    /// ```
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// One column by name.
    ///
    /// ```
    /// let t = mle_core::table::NumericTable::parse("a\n1\n").unwrap();
    /// assert!(t.column("b").is_err());
    /// ```
    pub fn column(&self, name: &str) -> Result<Vec<f64>> {
        let j = self
            .names
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| MleError::NoSuchColumn {
                name: name.into(),
                available: self.names.clone(),
            })?;
        Ok(self.columns[j].clone())
    }

    /// A design from the named columns, with an intercept column first if asked.
    ///
    /// ```
    /// let t = mle_core::table::NumericTable::parse("(Intercept),x\n1,2\n1,5\n").unwrap();
    /// assert_eq!(t.design(&["(Intercept)", "x"], false).unwrap().ncols(), 2);
    /// ```
    pub fn design(&self, columns: &[&str], intercept: bool) -> Result<Design> {
        let n = self.columns.first().map_or(0, Vec::len);
        let mut names = Vec::new();
        let mut data = Vec::new();
        if intercept {
            names.push("(Intercept)".to_string());
            data.extend(std::iter::repeat_n(1.0, n));
        }
        for c in columns {
            names.push(c.to_string());
            data.extend(self.column(c)?);
        }
        Design::new(DMatrix::from_vec(n, names.len(), data), names)
    }

    /// A design from every column except those named.
    ///
    /// ```
    /// let t = mle_core::table::NumericTable::parse("y,(Intercept),x\n1,1,2\n0,1,5\n").unwrap();
    /// assert_eq!(t.design_except(&["y"]).unwrap().names(), ["(Intercept)", "x"]);
    /// ```
    pub fn design_except(&self, excluded: &[&str]) -> Result<Design> {
        let keep: Vec<&str> = self
            .names
            .iter()
            .map(String::as_str)
            .filter(|n| !excluded.contains(n))
            .collect();
        self.design(&keep, false)
    }
}
