//! Protocol-buffer messages, written (never read): the few wire types ONNX models and
//! TensorBoard event files need. Fields are appended in the order they are given; a reader
//! (onnxruntime, TensorBoard) takes them by number.

/// A protobuf message being written.
///
/// ```
/// use ember_core::protobuf::Message;
/// // message Test { int64 a = 1; string b = 2; } with a = 150, b = "hi"
/// let bytes = Message::new().int64(1, 150).string(2, "hi").into_bytes();
/// assert_eq!(bytes, [0x08, 0x96, 0x01, 0x12, 0x02, b'h', b'i']);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Message {
    bytes: Vec<u8>,
}

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LENGTH_DELIMITED: u32 = 2;
const FIXED32: u32 = 5;

impl Message {
    /// An empty message.
    pub fn new() -> Self {
        Self::default()
    }

    /// The encoded bytes.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// The encoded length.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn key(&mut self, field: u32, wire: u32) {
        varint(&mut self.bytes, u64::from(field << 3 | wire));
    }

    /// An `int64`, `int32` (non-negative) or enum field.
    #[must_use]
    pub fn int64(mut self, field: u32, value: i64) -> Self {
        self.key(field, VARINT);
        // Negative values are ten bytes of two's complement, as protobuf's int64.
        varint(&mut self.bytes, value as u64);
        self
    }

    /// A `double` field.
    #[must_use]
    pub fn double(mut self, field: u32, value: f64) -> Self {
        self.key(field, FIXED64);
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// A `float` field.
    #[must_use]
    pub fn float(mut self, field: u32, value: f32) -> Self {
        self.key(field, FIXED32);
        self.bytes.extend_from_slice(&value.to_le_bytes());
        self
    }

    /// A `bytes` field.
    #[must_use]
    pub fn bytes(mut self, field: u32, value: &[u8]) -> Self {
        self.key(field, LENGTH_DELIMITED);
        varint(&mut self.bytes, value.len() as u64);
        self.bytes.extend_from_slice(value);
        self
    }

    /// A `string` field.
    #[must_use]
    pub fn string(self, field: u32, value: &str) -> Self {
        self.bytes(field, value.as_bytes())
    }

    /// An embedded message field.
    #[must_use]
    pub fn message(self, field: u32, value: &Message) -> Self {
        self.bytes(field, &value.bytes)
    }

    /// A packed repeated `int64` field.
    #[must_use]
    pub fn packed_int64(self, field: u32, values: &[i64]) -> Self {
        let mut packed = Vec::new();
        for &v in values {
            varint(&mut packed, v as u64);
        }
        self.bytes(field, &packed)
    }
}

fn varint(out: &mut Vec<u8>, mut value: u64) {
    while value >= 0x80 {
        out.push((value as u8 & 0x7f) | 0x80);
        value >>= 7;
    }
    out.push(value as u8);
}

/// CRC-32C (Castagnoli) of `bytes`, as TFRecord framing uses it.
///
/// ```
/// assert_eq!(ember_core::protobuf::crc32c(b"123456789"), 0xe306_9283);
/// assert_eq!(ember_core::protobuf::crc32c(b""), 0);
/// ```
pub fn crc32c(bytes: &[u8]) -> u32 {
    const TABLE: [u32; 256] = {
        let mut table = [0u32; 256];
        let mut i = 0;
        while i < 256 {
            let mut c = i as u32;
            let mut k = 0;
            while k < 8 {
                c = if c & 1 == 1 {
                    0x82f6_3b78 ^ (c >> 1)
                } else {
                    c >> 1
                };
                k += 1;
            }
            table[i] = c;
            i += 1;
        }
        table
    };
    !bytes.iter().fold(!0u32, |crc, &b| {
        TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8)
    })
}
