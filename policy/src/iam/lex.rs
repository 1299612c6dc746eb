//! Splits a policy document into tokens, each with its line and column.
//!
//! One pass over the characters, no backtracking, so the cost is linear in the input
//! and nothing in it can panic on strange text. Problems (an unclosed quote, a stray
//! `!`) become errors at their position and the lexer carries on, so that a document's
//! errors are all reported at once.

use super::ast::Pos;
use super::ParseError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Tok {
    /// A keyword, name, verb, resource, OCID or variable.
    Word(String),
    /// `'text'` or `"text"`.
    Text(String),
    /// `/pattern/`.
    Pattern(String),
    LBrace,
    RBrace,
    Comma,
    Colon,
    Eq,
    Ne,
}

impl Tok {
    /// How the token reads in an error message.
    pub(super) fn shown(&self) -> String {
        match self {
            Tok::Word(w) => w.clone(),
            Tok::Text(t) => format!("'{t}'"),
            Tok::Pattern(p) => format!("/{p}/"),
            Tok::LBrace => "{".into(),
            Tok::RBrace => "}".into(),
            Tok::Comma => ",".into(),
            Tok::Colon => ":".into(),
            Tok::Eq => "=".into(),
            Tok::Ne => "!=".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Token {
    pub tok: Tok,
    pub pos: Pos,
    /// The first token on its line (statements are resynchronised there after an error).
    pub line_start: bool,
}

/// Characters that end a word.
fn is_delimiter(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '{' | '}' | ',' | ':' | '=' | '!' | '\'' | '"' | '#' | '/'
        )
}

pub(super) fn tokens(text: &str, errors: &mut Vec<ParseError>) -> Vec<Token> {
    let mut out: Vec<Token> = Vec::new();
    let mut chars = text.chars().peekable();
    let (mut line, mut column) = (1u32, 1u32);
    let mut last_line = 0u32;
    while let Some(&c) = chars.peek() {
        let pos = Pos { line, column };
        let mut advance = |chars: &mut std::iter::Peekable<std::str::Chars>| {
            let c = chars.next();
            if c == Some('\n') {
                line += 1;
                column = 1;
            } else {
                column += 1;
            }
            c
        };
        let tok = match c {
            c if c.is_whitespace() => {
                advance(&mut chars);
                continue;
            }
            '#' => {
                while chars.peek().is_some_and(|&c| c != '\n') {
                    advance(&mut chars);
                }
                continue;
            }
            '{' | '}' | ',' | ':' | '=' => {
                advance(&mut chars);
                match c {
                    '{' => Tok::LBrace,
                    '}' => Tok::RBrace,
                    ',' => Tok::Comma,
                    ':' => Tok::Colon,
                    _ => Tok::Eq,
                }
            }
            '!' => {
                advance(&mut chars);
                if chars.peek() == Some(&'=') {
                    advance(&mut chars);
                    Tok::Ne
                } else {
                    errors.push(ParseError::at(pos, "!", "expected `!=`"));
                    continue;
                }
            }
            '\'' | '"' | '/' => {
                advance(&mut chars);
                let mut body = String::new();
                let mut closed = false;
                while let Some(&d) = chars.peek() {
                    if d == '\n' {
                        break;
                    }
                    advance(&mut chars);
                    if d == c {
                        closed = true;
                        break;
                    }
                    body.push(d);
                }
                if !closed {
                    let what = if c == '/' { "pattern" } else { "quoted text" };
                    errors.push(ParseError::at(
                        pos,
                        &format!("{c}{body}"),
                        &format!("this {what} is not closed with `{c}` on its line"),
                    ));
                    continue;
                }
                if c == '/' {
                    Tok::Pattern(body)
                } else {
                    Tok::Text(body)
                }
            }
            _ => {
                let mut word = String::new();
                while let Some(&d) = chars.peek() {
                    if is_delimiter(d) {
                        break;
                    }
                    advance(&mut chars);
                    word.push(d);
                }
                Tok::Word(word)
            }
        };
        out.push(Token {
            tok,
            pos,
            line_start: pos.line != last_line,
        });
        last_line = pos.line;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_keep_dots_dashes_and_ocid_brackets() {
        let mut errors = Vec::new();
        let t = tokens(
            "Define tenancy A as ocid1.tenancy.oc1..<unique_ID> # note\nwhere x != /a*/",
            &mut errors,
        );
        assert!(errors.is_empty());
        let words: Vec<_> = t.iter().map(|t| t.tok.shown()).collect();
        assert_eq!(
            words,
            [
                "Define",
                "tenancy",
                "A",
                "as",
                "ocid1.tenancy.oc1..<unique_ID>",
                "where",
                "x",
                "!=",
                "/a*/"
            ]
        );
        assert_eq!(t[5].pos, Pos { line: 2, column: 1 });
        assert!(t[5].line_start && !t[6].line_start);
    }

    #[test]
    fn unclosed_quotes_and_stray_bangs_are_errors_with_positions() {
        let mut errors = Vec::new();
        tokens("a = 'open\nb ! c", &mut errors);
        assert_eq!(errors.len(), 2);
        assert_eq!((errors[0].line, errors[0].column), (1, 5));
        assert_eq!((errors[1].line, errors[1].column), (2, 3));
    }
}
