//! Colour for people, never for pipes: `--color auto|always|never` and the NO_COLOR convention.

use std::io::IsTerminal;

use anstyle::{AnsiColor, Style as Ansi};

/// When to colour output, as `--color` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Colours for one output stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    enabled: bool,
}

/// The styles of standard output and standard error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Styles {
    /// For standard output.
    pub out: Style,
    /// For standard error.
    pub err: Style,
}

impl Styles {
    /// Decides for both streams of this process: `auto` colours a stream that is a terminal,
    /// unless NO_COLOR is set to anything but the empty string.
    pub fn detect(choice: ColorChoice) -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Styles {
            out: Style::decide(choice, std::io::stdout().is_terminal(), no_color),
            err: Style::decide(choice, std::io::stderr().is_terminal(), no_color),
        }
    }
}

impl Style {
    /// Whether a stream is coloured under `choice`.
    pub fn decide(choice: ColorChoice, terminal: bool, no_color: bool) -> Self {
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => terminal && !no_color,
        };
        Style { enabled }
    }

    fn paint(self, style: Ansi, text: &str) -> String {
        if self.enabled {
            format!("{style}{text}{style:#}")
        } else {
            text.to_owned()
        }
    }

    fn color(color: AnsiColor) -> Ansi {
        Ansi::new().fg_color(Some(color.into()))
    }

    /// Failures: bold red.
    pub fn error(self, text: &str) -> String {
        self.paint(Self::color(AnsiColor::Red).bold(), text)
    }

    /// Warnings: yellow.
    pub fn warning(self, text: &str) -> String {
        self.paint(Self::color(AnsiColor::Yellow), text)
    }

    /// Success: green.
    pub fn good(self, text: &str) -> String {
        self.paint(Self::color(AnsiColor::Green), text)
    }

    /// Headings and names: bold.
    pub fn strong(self, text: &str) -> String {
        self.paint(Ansi::new().bold(), text)
    }

    /// A unified diff with removed lines red, added lines green and hunk headers cyan.
    pub fn diff(self, diff: &str) -> String {
        if !self.enabled {
            return diff.to_owned();
        }
        diff.split_inclusive('\n')
            .map(|line| {
                let (body, end) = match line.strip_suffix('\n') {
                    Some(body) => (body, "\n"),
                    None => (line, ""),
                };
                let painted = if body.starts_with("+++") || body.starts_with("---") {
                    self.strong(body)
                } else if body.starts_with('+') {
                    self.good(body)
                } else if body.starts_with('-') {
                    self.paint(Self::color(AnsiColor::Red), body)
                } else if body.starts_with("@@") {
                    self.paint(Self::color(AnsiColor::Cyan), body)
                } else {
                    body.to_owned()
                };
                format!("{painted}{end}")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_follows_the_terminal_and_no_color() {
        assert!(Style::decide(ColorChoice::Auto, true, false).enabled);
        assert!(!Style::decide(ColorChoice::Auto, false, false).enabled);
        assert!(!Style::decide(ColorChoice::Auto, true, true).enabled);
        assert!(Style::decide(ColorChoice::Always, false, true).enabled);
        assert!(!Style::decide(ColorChoice::Never, true, false).enabled);
    }

    #[test]
    fn diffs_are_painted_by_line_and_plain_text_is_untouched() {
        let on = Style::decide(ColorChoice::Always, false, false);
        let painted = on.diff("--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n same\n");
        assert!(painted.contains("\x1b[31m-old\x1b[0m\n"));
        assert!(painted.contains("\x1b[32m+new\x1b[0m\n"));
        assert!(painted.ends_with(" same\n"));
        let off = Style::decide(ColorChoice::Never, true, false);
        assert_eq!(off.diff("-old\n"), "-old\n");
        assert_eq!(off.error("x"), "x");
    }
}
