//! The error kind every trainer shares: a loss that became NaN or infinite.

/// Training diverged: the loss at `epoch`, `batch` (both 1-based) is not finite. The message
/// suggests what to change.
///
/// ```
/// let d = ember_core::Diverged { epoch: 3, batch: 7, loss: f64::NAN, learning_rate: 10.0 };
/// assert_eq!(
///     d.to_string(),
///     "training diverged at epoch 3, batch 7: the loss is NaN; try a lower learning rate (now 10)"
/// );
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Diverged {
    /// Epoch (1-based).
    pub epoch: usize,
    /// Batch within the epoch (1-based).
    pub batch: usize,
    /// The non-finite loss.
    pub loss: f64,
    /// The learning rate in use.
    pub learning_rate: f64,
}

impl std::fmt::Display for Diverged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "training diverged at epoch {}, batch {}: the loss is {}; try a lower learning rate (now {})",
            self.epoch, self.batch, self.loss, self.learning_rate
        )
    }
}

impl std::error::Error for Diverged {}
