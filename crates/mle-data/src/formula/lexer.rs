//! Tokens of a formula, each with its character position.

use crate::error::FormulaError;

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// A name (backticks removed); `quoted` when written in backticks.
    Name {
        name: String,
        quoted: bool,
    },
    Number(f64),
    /// A string literal (`"low"`, `'low'`), allowed only among the levels of
    /// `factor()` / `ordered()`.
    Str(String),
    Dot,
    /// `=` of a named argument (`levels = ...`).
    Equals,
    Tilde,
    Plus,
    Minus,
    Star,
    Slash,
    Caret,
    Colon,
    LParen,
    RParen,
    Comma,
    Bar,
    End,
}

impl Tok {
    pub(crate) fn describe(&self) -> String {
        match self {
            Tok::Name { name, .. } => format!("name `{name}`"),
            Tok::Number(v) => format!("number {v}"),
            Tok::Str(v) => format!("string {v:?}"),
            Tok::Dot => "`.`".into(),
            Tok::Equals => "`=`".into(),
            Tok::Tilde => "`~`".into(),
            Tok::Plus => "`+`".into(),
            Tok::Minus => "`-`".into(),
            Tok::Star => "`*`".into(),
            Tok::Slash => "`/`".into(),
            Tok::Caret => "`^`".into(),
            Tok::Colon => "`:`".into(),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Bar => "`|`".into(),
            Tok::End => "the end of the formula".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub tok: Tok,
    pub pos: usize,
}

/// Splits `text` into tokens; the last is `End` at the formula's length.
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, FormulaError> {
    let chars: Vec<char> = text.chars().collect();
    let err = |pos: usize, msg: String| FormulaError::new(text, pos, msg);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let single = match c {
            '~' => Some(Tok::Tilde),
            '+' => Some(Tok::Plus),
            '-' => Some(Tok::Minus),
            '/' => Some(Tok::Slash),
            '^' => Some(Tok::Caret),
            ':' => Some(Tok::Colon),
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            ',' => Some(Tok::Comma),
            '|' => Some(Tok::Bar),
            '=' if chars.get(i + 1) != Some(&'=') => Some(Tok::Equals),
            _ => None,
        };
        if let Some(tok) = single {
            out.push(Token { tok, pos: start });
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '*' {
            // `**` is R's other spelling of `^`.
            if chars.get(i + 1) == Some(&'*') {
                out.push(Token {
                    tok: Tok::Caret,
                    pos: start,
                });
                i += 2;
            } else {
                out.push(Token {
                    tok: Tok::Star,
                    pos: start,
                });
                i += 1;
            }
            continue;
        }
        if c == '"' || c == '\'' {
            let (value, len) =
                lex_string(&chars[i..]).ok_or_else(|| err(start, "unterminated string".into()))?;
            out.push(Token {
                tok: Tok::Str(value),
                pos: start,
            });
            i += len;
            continue;
        }
        if c == '`' {
            let close = chars[i + 1..].iter().position(|&d| d == '`');
            let Some(len) = close else {
                return Err(err(start, "unterminated backticked name".into()));
            };
            if len == 0 {
                return Err(err(start, "empty backticked name".into()));
            }
            let name: String = chars[i + 1..i + 1 + len].iter().collect();
            out.push(Token {
                tok: Tok::Name { name, quoted: true },
                pos: start,
            });
            i += len + 2;
            continue;
        }
        let next_is_digit = chars.get(i + 1).is_some_and(|d| d.is_ascii_digit());
        if c.is_ascii_digit() || (c == '.' && next_is_digit) {
            let (value, len) =
                lex_number(&chars[i..]).ok_or_else(|| err(start, "malformed number".into()))?;
            out.push(Token {
                tok: Tok::Number(value),
                pos: start,
            });
            i += len;
            continue;
        }
        if c.is_alphabetic() || c == '.' {
            let len = chars[i..]
                .iter()
                .take_while(|d| d.is_alphanumeric() || **d == '.' || **d == '_')
                .count();
            let name: String = chars[i..i + len].iter().collect();
            let tok = if name == "." {
                Tok::Dot
            } else {
                Tok::Name { name, quoted: false }
            };
            out.push(Token { tok, pos: start });
            i += len;
            continue;
        }
        let msg = match c {
            '%' => "operators like `%in%` are not supported".to_string(),
            '=' => "`==` is not supported in a formula".to_string(),
            _ => format!("unexpected character `{c}`"),
        };
        return Err(err(start, msg));
    }
    out.push(Token {
        tok: Tok::End,
        pos: chars.len(),
    });
    Ok(out)
}

/// A string literal at the start of `chars` (its quote, `"` or `'`, first): the value with
/// a backslash escaping the next character (`\"` → `"`, `\\` → `\`), and the characters
/// consumed; `None` if it is not closed.
fn lex_string(chars: &[char]) -> Option<(String, usize)> {
    let quote = *chars.first()?;
    let mut value = String::new();
    let mut i = 1;
    while let Some(&c) = chars.get(i) {
        match c {
            '\\' => {
                value.push(*chars.get(i + 1)?);
                i += 2;
            }
            c if c == quote => return Some((value, i + 1)),
            c => {
                value.push(c);
                i += 1;
            }
        }
    }
    None
}

/// A decimal number at the start of `chars`: digits, optional fraction, optional exponent.
fn lex_number(chars: &[char]) -> Option<(f64, usize)> {
    let mut i = chars.iter().take_while(|c| c.is_ascii_digit()).count();
    if chars.get(i) == Some(&'.') {
        i += 1;
        i += chars[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    }
    if matches!(chars.get(i), Some('e' | 'E')) {
        let mut j = i + 1;
        if matches!(chars.get(j), Some('+' | '-')) {
            j += 1;
        }
        let exp_digits = chars[j.min(chars.len())..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if exp_digits == 0 {
            return None;
        }
        i = j + exp_digits;
    }
    let text: String = chars[..i].iter().collect();
    // A letter glued to the number (`2x`, `1L`) is not part of it.
    if chars
        .get(i)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_' || *c == '.')
    {
        return None;
    }
    text.parse().ok().map(|v| (v, i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn lexes_operators_names_numbers() {
        assert_eq!(
            toks("y~x**2+.5-`a b`:.|z.1"),
            vec![
                Tok::Name {
                    name: "y".into(),
                    quoted: false
                },
                Tok::Tilde,
                Tok::Name {
                    name: "x".into(),
                    quoted: false
                },
                Tok::Caret,
                Tok::Number(2.0),
                Tok::Plus,
                Tok::Number(0.5),
                Tok::Minus,
                Tok::Name {
                    name: "a b".into(),
                    quoted: true
                },
                Tok::Colon,
                Tok::Dot,
                Tok::Bar,
                Tok::Name {
                    name: "z.1".into(),
                    quoted: false
                },
                Tok::End,
            ]
        );
        assert_eq!(toks("1e-3")[0], Tok::Number(0.001));
    }

    #[test]
    fn lex_errors_have_positions() {
        let e = lex("y ~ `x").unwrap_err();
        assert_eq!(e.position, 4);
        let e = lex("y ~ x %in% z").unwrap_err();
        assert_eq!(e.position, 6);
        let e = lex("y ~ 2x").unwrap_err();
        assert_eq!(e.position, 4);
        let e = lex("y ~ 1e").unwrap_err();
        assert_eq!(e.position, 4);
        let e = lex("y ~ é$").unwrap_err();
        assert_eq!(e.position, 5);
    }
}
