//! Reading the protocol's messages: `Content-Length` framing and JSON-RPC,
//! our own rather than `lsp-server`'s reader, which ends the session on a
//! malformed message; here a bad message becomes a [`Frame::Invalid`] the
//! server answers with an error, and the session goes on. Pure over any
//! `BufRead` (fuzzed in `tests/never_panics.rs`).

use std::io::{BufRead, Read};

use lsp_server::{ErrorCode, Message};
use serde_json::Value;

/// The largest message read (a 50 MB document fits; a bigger one is
/// skipped with an error response).
pub const MAX_MESSAGE: usize = 128 * 1024 * 1024;

/// One message read from the stream, or why not.
#[derive(Debug)]
pub enum Frame {
    Message(Message),
    /// A message that could not be read: the error code to answer with,
    /// why, and its id when it had one.
    Invalid(ErrorCode, String, Option<Value>),
    /// The stream ended.
    End,
}

/// Reads one `Content-Length`-framed JSON-RPC message.
pub fn read_frame(r: &mut impl BufRead) -> Frame {
    let mut length: Option<usize> = None;
    let mut seen_header = false;
    loop {
        let mut line = String::new();
        match r.by_ref().take(16 * 1024).read_line(&mut line) {
            Ok(0) => return Frame::End,
            Ok(_) => {}
            Err(e) => {
                if e.kind() == std::io::ErrorKind::InvalidData {
                    return Frame::Invalid(
                        ErrorCode::ParseError,
                        "a header line is not UTF-8".into(),
                        None,
                    );
                }
                return Frame::End;
            }
        }
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            if !line.ends_with('\n') {
                return Frame::End;
            }
            if !seen_header {
                continue; // stray blank lines between messages
            }
            break;
        }
        seen_header = true;
        let Some((name, value)) = l.split_once(':') else {
            return Frame::Invalid(
                ErrorCode::ParseError,
                format!("`{}` is not a header (`Name: value`)", cut(l)),
                None,
            );
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse() {
                Ok(n) => length = Some(n),
                Err(_) => {
                    return Frame::Invalid(
                        ErrorCode::ParseError,
                        format!("Content-Length `{}` is not a number", cut(value.trim())),
                        None,
                    );
                }
            }
        }
    }
    let Some(length) = length else {
        return Frame::Invalid(
            ErrorCode::ParseError,
            "a message without a Content-Length header".into(),
            None,
        );
    };
    if length > MAX_MESSAGE {
        let skipped = std::io::copy(&mut r.by_ref().take(length as u64), &mut std::io::sink());
        if skipped.map_or(true, |n| n < length as u64) {
            return Frame::End;
        }
        return Frame::Invalid(
            ErrorCode::InvalidRequest,
            format!(
                "a message of {} MB; at most {} MB are read",
                length >> 20,
                MAX_MESSAGE >> 20
            ),
            None,
        );
    }
    // Read, not allocated up front: a length the stream does not hold costs
    // nothing.
    let mut body = Vec::new();
    if r.by_ref()
        .take(length as u64)
        .read_to_end(&mut body)
        .is_err()
        || body.len() < length
    {
        return Frame::End;
    }
    let value: Value = match serde_json::from_slice(&body) {
        Ok(v) => v,
        Err(e) => {
            return Frame::Invalid(ErrorCode::ParseError, format!("not JSON: {e}"), None);
        }
    };
    let id = value.get("id").cloned();
    match serde_json::from_value::<Message>(value) {
        Ok(m) => Frame::Message(m),
        Err(e) => Frame::Invalid(
            ErrorCode::InvalidRequest,
            format!("not a request, response or notification: {e}"),
            id,
        ),
    }
}

/// At most 60 characters of `s`, for quoting bad input in an error.
pub(super) fn cut(s: &str) -> String {
    s.chars().take(60).collect()
}
