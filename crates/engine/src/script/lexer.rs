//! Splits one command line into words, keeping each word's column for error messages.
//! Words are separated by spaces; `"..."` quotes a word with spaces (`\"` and `\\`
//! escape); `#` starts a comment.

/// One word of a command line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Word {
    /// The text, unquoted.
    pub text: String,
    /// 1-based column of its first character.
    pub column: u32,
    /// True when it was written in quotes.
    pub quoted: bool,
}

/// Splits `line` into words. Errors name the column of an unclosed quote.
pub fn words(line: &str) -> Result<Vec<Word>, (u32, String)> {
    let mut out = Vec::new();
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        let column = i as u32 + 1;
        if c == '"' {
            let mut text = String::new();
            i += 1;
            let mut closed = false;
            while i < chars.len() {
                match chars[i] {
                    '\\' if i + 1 < chars.len() => {
                        text.push(chars[i + 1]);
                        i += 2;
                    }
                    '"' => {
                        closed = true;
                        i += 1;
                        break;
                    }
                    ch => {
                        text.push(ch);
                        i += 1;
                    }
                }
            }
            if !closed {
                return Err((column, "this quote is never closed".into()));
            }
            out.push(Word {
                text,
                column,
                quoted: true,
            });
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() {
                i += 1;
            }
            out.push(Word {
                text: chars[start..i].iter().collect(),
                column,
                quoted: false,
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_and_keeps_columns() {
        let w = words("produce  orders value \"hello world\" # note").unwrap();
        let t: Vec<(&str, u32)> = w.iter().map(|w| (w.text.as_str(), w.column)).collect();
        assert_eq!(
            t,
            vec![
                ("produce", 1),
                ("orders", 10),
                ("value", 17),
                ("hello world", 23)
            ]
        );
        assert!(w[3].quoted);
    }

    #[test]
    fn unclosed_quote_is_an_error() {
        assert_eq!(words("a \"b").unwrap_err().0, 3);
    }

    #[test]
    fn escapes() {
        assert_eq!(words(r#""a\"b""#).unwrap()[0].text, "a\"b");
    }
}
