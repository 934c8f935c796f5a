//! Reading the words of one command line: the cursor every system's parser uses, and the
//! shared readers for numbers, durations, node names and node lists. Errors are
//! `(column, message)` pairs; the line is added by [`crate::script::parse`].

use crate::ids::NodeId;
use crate::kafka::topic::TopicPartition;
use crate::script::lexer::Word;

/// A parse result: the value, or the 1-based column and what was expected there.
pub type PResult<T> = Result<T, (u32, String)>;

pub use crate::sim::world::MAX_DURATION_MS;

/// The words of one line and the position of the next one to read.
pub struct Cursor<'a> {
    words: &'a [Word],
    pos: usize,
    end_column: u32,
    line: &'a str,
}

impl<'a> Cursor<'a> {
    /// A cursor at the first of `words`; `end_column` is the column just past the line's
    /// last character (where "found the end of the line" errors point).
    pub fn new(words: &'a [Word], end_column: u32) -> Self {
        Cursor {
            words,
            pos: 0,
            end_column,
            line: "",
        }
    }

    /// A cursor that also knows the line's text, for commands that take the rest of the
    /// line as it was written ([`Cursor::rest_of_line`]).
    pub fn with_line(words: &'a [Word], end_column: u32, line: &'a str) -> Self {
        Cursor {
            line,
            ..Cursor::new(words, end_column)
        }
    }

    /// The rest of the line as written, from the next word on (quotes and all, without
    /// trailing spaces or a comment); consumes the words. Empty at the end of the line.
    pub fn rest_of_line(&mut self) -> String {
        let Some(first) = self.peek() else {
            return String::new();
        };
        let start = first.column as usize - 1;
        let end = self.end_column as usize - 1;
        self.pos = self.words.len();
        let chars: Vec<char> = self.line.chars().collect();
        let end = end.min(chars.len());
        let text: String = chars[start.min(end)..end].iter().collect();
        // Where the lexer stopped at a `#`, the words end before it.
        match self.words.last() {
            Some(w) if w.column as usize > start => {
                let stop = self.line_end_of(w);
                chars[start..stop.min(chars.len())].iter().collect()
            }
            _ => text.trim_end().to_string(),
        }
    }

    /// The character index just past word `w` in the line.
    fn line_end_of(&self, w: &Word) -> usize {
        let chars: Vec<char> = self.line.chars().collect();
        let mut i = w.column as usize - 1;
        if w.quoted {
            // Past the closing quote.
            i += 1;
            while i < chars.len() {
                match chars[i] {
                    '\\' => i += 2,
                    '"' => return i + 1,
                    _ => i += 1,
                }
            }
            return chars.len();
        }
        while i < chars.len() && !chars[i].is_whitespace() {
            i += 1;
        }
        i
    }

    /// The next word, not consumed.
    pub fn peek(&self) -> Option<&'a Word> {
        self.words.get(self.pos)
    }

    /// The word just consumed.
    pub fn previous(&self) -> Option<&'a Word> {
        self.pos.checked_sub(1).and_then(|i| self.words.get(i))
    }

    /// The words not read yet; consumes them.
    pub fn take_rest(&mut self) -> &'a [Word] {
        let rest = &self.words[self.pos.min(self.words.len())..];
        self.pos = self.words.len();
        rest
    }

    /// The column of the next word, or the end of the line.
    pub fn column(&self) -> u32 {
        self.peek().map_or(self.end_column, |w| w.column)
    }

    /// The column just past the line's last character.
    pub fn end_column(&self) -> u32 {
        self.end_column
    }

    /// Consumes the next word; `what` names what was expected if there is none.
    pub fn next(&mut self, what: &str) -> PResult<&'a Word> {
        match self.words.get(self.pos) {
            Some(w) => {
                self.pos += 1;
                Ok(w)
            }
            None => Err((
                self.end_column,
                format!("expected {what}, found the end of the line"),
            )),
        }
    }

    /// An error at `w`: expected `what`, found `w`.
    pub fn fail<T>(&self, w: &Word, what: &str) -> PResult<T> {
        Err((w.column, format!("expected {what}, found `{}`", w.text)))
    }

    /// Consumes one of `options` (case-insensitive, unquoted) and returns it.
    pub fn keyword(&mut self, options: &[&'static str]) -> PResult<&'static str> {
        let what = one_of(options);
        let w = self.next(&what)?;
        match options
            .iter()
            .find(|o| w.text.eq_ignore_ascii_case(o) && !w.quoted)
        {
            Some(o) => Ok(o),
            None => self.fail(w, &what),
        }
    }

    /// Consumes `kw` if it comes next.
    pub fn accept(&mut self, kw: &str) -> bool {
        if self
            .peek()
            .is_some_and(|w| !w.quoted && w.text.eq_ignore_ascii_case(kw))
        {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// Succeeds when every word was read.
    pub fn done(&self) -> PResult<()> {
        match self.peek() {
            Some(w) => Err((
                w.column,
                format!("unexpected `{}` at the end of the command", w.text),
            )),
            None => Ok(()),
        }
    }

    /// A number: `42`, `0x2a`, `1_000`.
    pub fn number(&mut self, what: &str) -> PResult<u64> {
        let w = self.next(what)?;
        parse_number(&w.text)
            .ok_or(())
            .or_else(|_| self.fail(w, what))
    }

    /// A number that fits in 32 bits.
    pub fn small(&mut self, what: &str) -> PResult<u32> {
        let w = self.next(what)?;
        parse_number(&w.text)
            .and_then(|n| u32::try_from(n).ok())
            .ok_or(())
            .or_else(|_| self.fail(w, what))
    }

    /// Any node name.
    pub fn node(&mut self) -> PResult<NodeId> {
        let w = self.next("a node name like zk1 or broker2")?;
        w.text
            .parse()
            .or_else(|_| self.fail(w, "a node name like zk1, broker2, producer1"))
    }

    /// A ZooKeeper server name; returns its sid.
    pub fn zk(&mut self) -> PResult<u32> {
        let w = self.next("a ZooKeeper server like zk3")?;
        match w.text.parse() {
            Ok(NodeId::Zk(sid)) => Ok(sid),
            _ => self.fail(w, "a ZooKeeper server like zk3"),
        }
    }

    /// A broker name; returns its id.
    pub fn broker(&mut self) -> PResult<u32> {
        let w = self.next("a broker like broker2")?;
        match w.text.parse() {
            Ok(NodeId::Broker(id)) => Ok(id),
            _ => self.fail(w, "a broker like broker2"),
        }
    }

    /// A topic-partition like `orders-0`.
    pub fn tp(&mut self) -> PResult<TopicPartition> {
        let w = self.next("a topic-partition like orders-0")?;
        w.text
            .parse()
            .or_else(|_| self.fail(w, "a topic-partition like orders-0"))
    }

    /// A duration like `500ms`, `2s`, `1.5s`, at most [`MAX_DURATION_MS`].
    pub fn duration(&mut self) -> PResult<u64> {
        let w = self.next("a duration like 500ms or 2s")?;
        match parse_duration(&w.text) {
            Some(ms) if ms <= MAX_DURATION_MS => Ok(ms),
            Some(_) => Err((
                w.column,
                format!("`{}` is longer than the 24h a command may span", w.text),
            )),
            None => self.fail(w, "a duration like 500ms, 2s or 1.5s"),
        }
    }

    /// The next word as text.
    pub fn text(&mut self, what: &str) -> PResult<String> {
        Ok(self.next(what)?.text.clone())
    }

    /// A comma-separated node list written as one word (`zk1,zk2`).
    pub fn node_list(&mut self, what: &str) -> PResult<Vec<NodeId>> {
        let w = self.next(what)?;
        node_list(&w.text, w.column)
    }
}

/// "`a`" or "one of `a`, `b`".
pub fn one_of(options: &[&str]) -> String {
    match options {
        [one] => format!("`{one}`"),
        _ => {
            let quoted: Vec<String> = options.iter().map(|o| format!("`{o}`")).collect();
            format!("one of {}", quoted.join(", "))
        }
    }
}

/// Reads `42`, `0x2a`, `1_000`.
pub fn parse_number(s: &str) -> Option<u64> {
    let s = s.replace('_', "");
    match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => u64::from_str_radix(hex, 16).ok(),
        None => s.parse().ok(),
    }
}

/// Reads `500ms`, `2s`, `1.5s`, `1m`; a bare number means milliseconds.
pub fn parse_duration(s: &str) -> Option<u64> {
    let (num, unit) = match s.find(|c: char| c.is_ascii_alphabetic()) {
        Some(i) => s.split_at(i),
        None => (s, "ms"),
    };
    let scale: u64 = match unit {
        "ms" => 1,
        "s" => 1000,
        "m" | "min" => 60_000,
        _ => return None,
    };
    let (whole, frac) = num.split_once('.').unwrap_or((num, ""));
    if whole.is_empty() || frac.len() > 3 || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: u64 = whole.parse().ok()?;
    let frac_ms = if frac.is_empty() {
        0
    } else {
        frac.parse::<u64>().ok()? * scale / 10u64.pow(frac.len() as u32)
    };
    whole.checked_mul(scale)?.checked_add(frac_ms)
}

/// Reads `zk1,zk2,zk3` written at `column`; errors point at the bad name.
pub fn node_list(text: &str, column: u32) -> PResult<Vec<NodeId>> {
    let mut out = Vec::new();
    let mut col = column;
    for part in text.split(',') {
        let name = part.trim();
        if name.is_empty() {
            return Err((col, "expected a node name between commas".into()));
        }
        match name.parse() {
            Ok(id) => out.push(id),
            Err(_) => {
                return Err((
                    col,
                    format!("expected a node name like zk1 or broker2, found `{name}`"),
                ));
            }
        }
        col += part.len() as u32 + 1;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(500));
        assert_eq!(parse_duration("2s"), Some(2000));
        assert_eq!(parse_duration("1.5s"), Some(1500));
        assert_eq!(parse_duration("1m"), Some(60_000));
        assert_eq!(parse_duration("7"), Some(7));
        assert_eq!(parse_duration("1.2345s"), None);
        assert_eq!(parse_duration("2h"), None);
    }

    #[test]
    fn numbers() {
        assert_eq!(parse_number("0x100000007"), Some(0x1_0000_0007));
        assert_eq!(parse_number("1_000"), Some(1000));
        assert_eq!(parse_number("x"), None);
    }

    #[test]
    fn node_lists_point_at_the_bad_name() {
        assert_eq!(
            node_list("zk1,zk2", 5).unwrap(),
            vec![NodeId::Zk(1), NodeId::Zk(2)]
        );
        assert_eq!(node_list("zk1,nope", 5).unwrap_err().0, 9);
        assert_eq!(node_list("zk1,,zk2", 5).unwrap_err().0, 9);
    }
}
