//! The secret of one run of `serve`, as Jupyter has it: 32 hex digits
//! from the system's randomness, the first part of every path. A page of
//! another site cannot guess it, so it can neither read an issue nor
//! write one, even through a browser on this computer.

use crate::diagnostic::UsageError;

#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// A new token from the system's randomness (getrandom: the kernel's
    /// `getrandom`, `BCryptGenRandom`, …), never a clock or a counter.
    pub fn new() -> Result<Token, UsageError> {
        let mut bytes = [0u8; 16];
        getrandom::fill(&mut bytes).map_err(|e| {
            UsageError::new(format!("无法启动：系统没有给出随机数（{e}）"))
                .help("这台电脑的随机数来源出了问题；重启后再试")
        })?;
        Ok(Token(bytes.iter().map(|b| format!("{b:02x}")).collect()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `candidate` is the token, in time that depends only on the
    /// length (known to all: 32), not on how many characters match.
    pub fn matches(&self, candidate: &str) -> bool {
        let (a, b) = (self.0.as_bytes(), candidate.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let diff = a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y));
        std::hint::black_box(diff) == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_32_hex_digits_and_differ() {
        let (a, b) = (Token::new().unwrap(), Token::new().unwrap());
        assert_eq!(a.as_str().len(), 32);
        assert!(
            a.as_str()
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert_ne!(a.as_str(), b.as_str());
        assert!(a.matches(&String::from(a.as_str())));
        assert!(!a.matches(b.as_str()));
        assert!(!a.matches(&a.as_str()[..31]));
        assert!(!a.matches(""));
    }
}
