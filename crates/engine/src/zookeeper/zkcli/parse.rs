//! How zkCli reads a line: `ZooKeeperMain.MyCommandOptions.parseCommand` (the regex
//! `\s*([^"']\S*|"[^"]*"|'[^']*')\s*`, quotes stripped) and the Apache Commons CLI
//! `DefaultParser` each command uses for its options (options anywhere on the line,
//! `-sw` for `-s -w`, `-v3` or `-v 3` for an option with a value; an unknown `-x` is an
//! error; a negative number may be the value of an option).

use std::collections::BTreeMap;

/// Splits a line into words as `parseCommand` does, `find()` after `find()` of
/// `\s*([^"']\S*|"[^"]*"|'[^']*')\s*` with Java's backtracking: the leading `\s*` gives
/// characters back when the group cannot match after it, and `[^"']` matches whitespace
/// too, so a whitespace-only line is the one word `" "` (its last character; zkCli then
/// says `Command not found  `), and a line that opens with blanks and an unclosed quote
/// keeps the last blank in its first word. Quotes around a whole word are stripped
/// (`QUOTED_PATTERN`). A line of only an unclosed quote has no words.
pub fn tokenize(line: &str) -> Vec<String> {
    let chars: Vec<char> = line.chars().collect();
    // The group at `i`: its end, or None.
    let group = |i: usize| -> Option<usize> {
        let c = *chars.get(i)?;
        if c != '"' && c != '\'' {
            let mut j = i + 1;
            while j < chars.len() && !chars[j].is_whitespace() {
                j += 1;
            }
            Some(j)
        } else {
            chars[i + 1..]
                .iter()
                .position(|&d| d == c)
                .map(|k| i + 1 + k + 1)
        }
    };
    let mut out = Vec::new();
    let mut pos = 0;
    while pos <= chars.len() {
        let mut blanks = 0;
        while pos + blanks < chars.len() && chars[pos + blanks].is_whitespace() {
            blanks += 1;
        }
        // Greedy `\s*` first, then one blank fewer at a time.
        let found = (0..=blanks)
            .rev()
            .find_map(|k| group(pos + k).map(|end| (pos + k, end)));
        match found {
            Some((start, end)) => {
                let mut tok: String = chars[start..end].iter().collect();
                let t: Vec<char> = tok.chars().collect();
                if t.len() >= 2 && (t[0] == '"' || t[0] == '\'') && t[t.len() - 1] == t[0] {
                    tok = t[1..t.len() - 1].iter().collect();
                }
                out.push(tok);
                // The trailing `\s*`.
                let mut next = end;
                while next < chars.len() && chars[next].is_whitespace() {
                    next += 1;
                }
                pos = next;
            }
            None => pos += 1,
        }
    }
    out
}

/// The options of a command, as parsed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CommandLine {
    /// Options seen, with their value (first one kept).
    pub opts: BTreeMap<char, Option<String>>,
    /// The other words, the command name first.
    pub args: Vec<String>,
}

impl CommandLine {
    /// `hasOption`.
    pub fn has(&self, o: char) -> bool {
        self.opts.contains_key(&o)
    }

    /// `getOptionValue`.
    pub fn value(&self, o: char) -> Option<&str> {
        self.opts.get(&o).and_then(|v| v.as_deref())
    }
}

fn is_negative_number(t: &str) -> bool {
    t.len() > 1 && t.starts_with('-') && t[1..].parse::<f64>().is_ok()
}

/// `DefaultParser.parse(options, args)`. `spec` lists the short options and whether each
/// takes a value. The error is the text zkCli prints for it
/// (`org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x`).
pub fn parse_options(spec: &[(char, bool)], words: &[String]) -> Result<CommandLine, String> {
    let takes = |c: char| spec.iter().find(|(o, _)| *o == c).map(|(_, a)| *a);
    let mut cl = CommandLine::default();
    let mut waiting: Option<char> = None;
    let unrecognized = |t: &str| {
        format!("org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: {t}")
    };
    for w in words {
        if let Some(o) = waiting {
            let is_option = w.len() >= 2
                && w.starts_with('-')
                && w[1..].chars().next().and_then(takes).is_some();
            if !is_option || is_negative_number(w) {
                cl.opts.entry(o).or_insert_with(|| Some(w.clone()));
                waiting = None;
                continue;
            }
            return Err(format!(
                "org.apache.commons.cli.MissingArgumentException: Missing argument for option: {o}"
            ));
        }
        if w == "-" || !w.starts_with('-') {
            cl.args.push(w.clone());
            continue;
        }
        let t: Vec<char> = w[1..].chars().collect();
        if t.is_empty() {
            cl.args.push(w.clone());
            continue;
        }
        // One option, or several concatenated (the last may take the rest as its value).
        let mut i = 0;
        while i < t.len() {
            match takes(t[i]) {
                Some(true) => {
                    let rest: String = t[i + 1..].iter().collect();
                    if rest.is_empty() {
                        waiting = Some(t[i]);
                    } else {
                        cl.opts.entry(t[i]).or_insert(Some(rest));
                    }
                    break;
                }
                Some(false) => {
                    cl.opts.entry(t[i]).or_insert(None);
                    i += 1;
                }
                None => return Err(unrecognized(w)),
            }
        }
    }
    if let Some(o) = waiting {
        return Err(format!(
            "org.apache.commons.cli.MissingArgumentException: Missing argument for option: {o}"
        ));
    }
    Ok(cl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(s: &str) -> Vec<String> {
        tokenize(s)
    }

    #[test]
    fn tokens_follow_the_regex() {
        assert_eq!(
            w("create /a \"hello world\""),
            vec!["create", "/a", "hello world"]
        );
        assert_eq!(w("  set  /a 'x y'  "), vec!["set", "/a", "x y"]);
        assert_eq!(
            w("get \"/a"),
            vec!["get", "/a"],
            "an unclosed quote is skipped"
        );
        // Backtracking: `[^"']` takes a blank when nothing else can match.
        assert_eq!(w("   "), vec![" "]);
        assert_eq!(w("\t"), vec!["\t"]);
        assert_eq!(w("  \"abc"), vec![" \"abc"]);
        assert_eq!(w("  'a b'"), vec!["a b"]);
        assert!(w("\"").is_empty(), "only an unclosed quote: no words");
        assert!(w("").is_empty());
    }

    #[test]
    fn options_anywhere_and_concatenated() {
        let spec = [('s', false), ('w', false), ('v', true)];
        let cl = parse_options(&spec, &w("ls -sw /a")).unwrap();
        assert!(cl.has('s') && cl.has('w'));
        assert_eq!(cl.args, vec!["ls", "/a"]);
        let cl = parse_options(&spec, &w("set /a x -v 3")).unwrap();
        assert_eq!(cl.value('v'), Some("3"));
        let cl = parse_options(&spec, &w("set -v-1 /a x")).unwrap();
        assert_eq!(cl.value('v'), Some("-1"));
        assert_eq!(
            parse_options(&spec, &w("ls -x /a")).unwrap_err(),
            "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: -x"
        );
        assert_eq!(
            parse_options(&spec, &w("set /a x -v")).unwrap_err(),
            "org.apache.commons.cli.MissingArgumentException: Missing argument for option: v"
        );
    }
}
