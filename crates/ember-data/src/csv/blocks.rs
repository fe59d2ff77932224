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
        let mut handle = File::open(path).map_err(io)?;
        let size = handle.metadata().map_err(io)?.len();
        let mut magic = [0u8; 2];
        let n = read_full(&mut handle, &mut magic).map_err(io)?;
        let head = magic[..n].to_vec();
        let raw = std::io::Cursor::new(head).chain(handle);
        Ok(if magic == [0x1f, 0x8b] && n == 2 {
            Self::new(
                &file,
                Box::new(MultiGzDecoder::new(BufReader::new(raw))),
                None,
            )
        } else {
            Self::new(&file, Box::new(raw), Some(size))
        })
    }

    /// Reads from any source (bytes in memory, stdin); `file` names it in errors. Gzip is
    /// detected as for files.
    pub fn from_reader(
        file: &str,
        mut reader: impl Read + Send + 'static,
    ) -> Result<Self, DataError> {
        let mut magic = [0u8; 2];
        let n = read_full(&mut reader, &mut magic).map_err(|e| DataError::File {
            file: file.into(),
            message: format!("cannot read: {e}"),
        })?;
        let raw = std::io::Cursor::new(magic[..n].to_vec()).chain(reader);
        Ok(if magic == [0x1f, 0x8b] && n == 2 {
            Self::new(
                file,
                Box::new(MultiGzDecoder::new(BufReader::new(raw))),
                None,
            )
        } else {
            Self::new(file, Box::new(raw), None)
        })
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
