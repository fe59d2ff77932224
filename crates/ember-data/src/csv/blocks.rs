//! A text file cut into blocks of whole records, so that blocks can be parsed in parallel.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use crate::DataError;

/// Target size of a block; records are never split between blocks.
pub(crate) const BLOCK_BYTES: usize = 4 << 20;

/// A run of whole records and the file line its first byte is on (1-based).
pub(crate) struct Block {
    pub bytes: Vec<u8>,
    pub first_line: usize,
}

/// Reads a file (gzip or not, detected by its magic bytes) block by block.
pub(crate) struct BlockReader {
    file: String,
    reader: Box<dyn Read + Send>,
    /// Bytes read but not yet handed out (the start of an unfinished record).
    pending: Vec<u8>,
    next_line: usize,
    eof: bool,
    quoting: bool,
    /// Size of the uncompressed file, when it is known (not gzipped).
    pub size: Option<u64>,
}

impl BlockReader {
    /// Opens `path`; a gzip file is decompressed as it is read.
    pub fn open(path: &Path) -> Result<Self, DataError> {
        let file = path.display().to_string();
        let io = |e: std::io::Error| DataError::File {
            file: file.clone(),
            message: format!("cannot read: {e}"),
        };
        if path.is_dir() {
            return Err(DataError::File {
                file,
                message: "is a directory, not a CSV file".into(),
            });
        }
        let handle = File::open(path).map_err(io)?;
        let size = handle.metadata().map_err(io)?.len();
        Self::with_size(&file, handle, Some(size))
    }

    /// Reads from any source (bytes in memory, stdin); `file` names it in errors. Gzip is
    /// detected as for files.
    pub fn from_reader(file: &str, reader: impl Read + Send + 'static) -> Result<Self, DataError> {
        Self::with_size(file, reader, None)
    }

    /// Detects gzip by its magic bytes, then checks the text: UTF-16 or UTF-32 is an error that
    /// says so, and old-Mac line endings (CR only) are read as newlines.
    fn with_size(
        file: &str,
        mut reader: impl Read + Send + 'static,
        size: Option<u64>,
    ) -> Result<Self, DataError> {
        let io = |e: std::io::Error| DataError::File {
            file: file.into(),
            message: format!("cannot read (is a gzip file truncated?): {e}"),
        };
        let mut magic = [0u8; 2];
        let n = read_full(&mut reader, &mut magic).map_err(io)?;
        let raw = std::io::Cursor::new(magic[..n].to_vec()).chain(reader);
        let (mut text, size): (Box<dyn Read + Send>, _) = if magic == [0x1f, 0x8b] && n == 2 {
            (Box::new(MultiGzDecoder::new(BufReader::new(raw))), None)
        } else {
            (Box::new(raw), size)
        };
        let mut head = vec![0u8; 1 << 16];
        let n = read_full(&mut text, &mut head).map_err(io)?;
        head.truncate(n);
        check_text(&head).map_err(|message| DataError::File {
            file: file.into(),
            message,
        })?;
        let cr_only = head.contains(&b'\r') && !head.contains(&b'\n');
        let text: Box<dyn Read + Send> = Box::new(std::io::Cursor::new(head).chain(text));
        let text = if cr_only {
            Box::new(CrAsNewline(text))
        } else {
            text
        };
        Ok(Self::new(file, text, size))
    }

    fn new(file: &str, reader: Box<dyn Read + Send>, size: Option<u64>) -> Self {
        Self {
            file: file.into(),
            reader,
            pending: Vec::new(),
            next_line: 1,
            eof: false,
            quoting: true,
            size,
        }
    }

    /// The file's name, for errors.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Whether `"` quotes fields (so a newline inside quotes does not end a record).
    pub fn set_quoting(&mut self, quoting: bool) {
        self.quoting = quoting;
    }

    /// The next block of at least `BLOCK_BYTES` (unless the file ends first) that ends at a
    /// record boundary; `None` at the end of the file.
    pub fn next_block(&mut self) -> Result<Option<Block>, DataError> {
        let mut scanned_to = 0;
        let mut in_quotes = false;
        let mut cut = None;
        loop {
            if self.pending.len() >= BLOCK_BYTES || self.eof {
                // Cut after the last newline outside quotes; without quotes in the block that is
                // simply the last newline (found from the end).
                if !self.quoting || (!in_quotes && !self.pending[scanned_to..].contains(&b'"')) {
                    if let Some(k) = self.pending[scanned_to..].iter().rposition(|&b| b == b'\n') {
                        cut = Some(scanned_to + k + 1);
                    }
                } else {
                    for (k, &b) in self.pending.iter().enumerate().skip(scanned_to) {
                        if b == b'"' {
                            in_quotes = !in_quotes;
                        } else if b == b'\n' && !in_quotes {
                            cut = Some(k + 1);
                        }
                    }
                }
                scanned_to = self.pending.len();
                if cut.is_some() || self.eof {
                    break;
                }
            }
            self.fill()?;
        }
        // At the end of the file the rest is the last block (its last record may lack a newline).
        let cut = if self.eof {
            self.pending.len()
        } else {
            cut.unwrap_or(self.pending.len())
        };
        if cut == 0 {
            return Ok(None);
        }
        let rest = self.pending.split_off(cut);
        let bytes = std::mem::replace(&mut self.pending, rest);
        let first_line = self.next_line;
        self.next_line += bytes.iter().filter(|&&b| b == b'\n').count();
        Ok(Some(Block { bytes, first_line }))
    }

    fn fill(&mut self) -> Result<(), DataError> {
        let want = BLOCK_BYTES.max(self.pending.len() / 2) as u64;
        // `read_to_end` appends without zero-filling the buffer first; it stops short of `want`
        // only at the end of the file.
        let got = (&mut self.reader)
            .take(want)
            .read_to_end(&mut self.pending)
            .map_err(|e| DataError::File {
                file: self.file.clone(),
                message: format!("cannot read (is a gzip file truncated?): {e}"),
            })?;
        self.eof = (got as u64) < want;
        Ok(())
    }
}

/// An error for text that is not in a byte encoding: UTF-16 or UTF-32 (by their byte-order
/// marks, or by the zero bytes that ASCII characters have in them).
fn check_text(head: &[u8]) -> Result<(), String> {
    let wide = |what: &str| {
        format!(
            "the file is {what}, not UTF-8 or a one-byte encoding; save it as UTF-8 (Excel: \"CSV UTF-8\"; iconv -f {} -t UTF-8)",
            what.split(' ').next().unwrap_or(what)
        )
    };
    if head.starts_with(&[0xFF, 0xFE]) {
        return Err(wide("UTF-16LE (byte-order mark FF FE)"));
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Err(wide("UTF-16BE (byte-order mark FE FF)"));
    }
    let sample = &head[..head.len().min(4096)];
    let zeros = sample.iter().filter(|&&b| b == 0).count();
    if !sample.is_empty() && zeros * 4 >= sample.len() {
        let even = sample.iter().step_by(2).filter(|&&b| b == 0).count();
        let what = if even * 2 > zeros {
            "UTF-16BE"
        } else {
            "UTF-16LE"
        };
        return Err(wide(&format!("{what} (every other byte is zero)")));
    }
    if zeros > 0 {
        return Err("the file has zero bytes in its text: it is binary, not a CSV file".into());
    }
    Ok(())
}

/// A reader that turns every carriage return into a newline, for files whose lines end in CR
/// alone (classic Mac OS, some Excel exports).
struct CrAsNewline(Box<dyn Read + Send>);

impl Read for CrAsNewline {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.0.read(buf)?;
        for b in &mut buf[..n] {
            if *b == b'\r' {
                *b = b'\n';
            }
        }
        Ok(n)
    }
}

fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match reader.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
