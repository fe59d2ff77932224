//! A model's weights in the safetensors format, with stable tensor names, for PyTorch and NumPy
//! users (`safetensors.numpy.load_file`, `safetensors.torch.load_file`).
//!
//! The format: an 8-byte little-endian header length, a JSON header naming each tensor's dtype,
//! shape and byte range (plus string `__metadata__`), padded with spaces to a multiple of 8,
//! then the raw little-endian data. It is written here directly (a few lines) rather than
//! through the `safetensors` crate, whose `std` feature would change the feature set of crates
//! burn shares and rebuild burn.
//!
//! Names: networks `layers.{i}.weight` (`[out, in]`, PyTorch's `nn.Linear` layout) and
//! `layers.{i}.bias`; linear and logistic models `linear.weight` (`[outputs, features]`) and
//! `linear.bias`; a scaler `input.scale` and `input.offset` (the model sees
//! `x · scale + offset`); an MLP regressor's target mapping `output.scale` and `output.offset`
//! (`y = network(x) · scale + offset`). Networks are `F32` (as trained), linear models `F64`.

use std::collections::BTreeMap;

use ember_models::contract::TensorValues;
use serde_json::{Value, json};

use crate::model_file::{ModelFile, ModelFileError};

/// One tensor to write: dtype name, shape, little-endian bytes.
struct Entry {
    dtype: &'static str,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

impl Entry {
    fn f32(shape: Vec<usize>, values: &[f32]) -> Self {
        Self {
            dtype: "F32",
            shape,
            bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }

    fn f64(shape: Vec<usize>, values: &[f64]) -> Self {
        Self {
            dtype: "F64",
            shape,
            bytes: values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        }
    }
}

impl ModelFile {
    /// The weights (and scaling) as safetensors bytes; `__metadata__` holds the model kind,
    /// the activation of a network, and the feature and class names as JSON.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember::model_file::ModelFile;
    /// let data = ember::data::load("diabetes")?;
    /// let model = ember::models::linear::LinearRegressionConfig::new().fit_dataset(&data, &Device::flex())?;
    /// let bytes = ModelFile::new(model.into(), None, &data, None).to_safetensors()?;
    /// let header_len = u64::from_le_bytes(bytes[..8].try_into()?) as usize;
    /// let header: serde_json::Value = serde_json::from_slice(&bytes[8..8 + header_len])?;
    /// assert_eq!(header["linear.weight"]["shape"], serde_json::json!([1, 10]));
    /// assert_eq!(header["__metadata__"]["kind"], "linear_regression");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_safetensors(&self) -> Result<Vec<u8>, ModelFileError> {
        let mut tensors: BTreeMap<String, Entry> = BTreeMap::new();
        let mut metadata = BTreeMap::new();
        metadata.insert("format".to_string(), "ember".to_string());
        metadata.insert("kind".to_string(), self.model.kind().to_string());
        let d = self.model.n_features();
        if let Some(scaler) = &self.scaler {
            let (scale, offset) = scaler
                .affine(d)
                .map_err(|e| ModelFileError::Corrupt(format!("scaler: {e}")))?;
            tensors.insert("input.scale".into(), Entry::f64(vec![d], &scale));
            tensors.insert("input.offset".into(), Entry::f64(vec![d], &offset));
        }
        let export = self.model.export()?;
        for t in export.tensors {
            let entry = match &t.values {
                TensorValues::F32(v) => Entry::f32(t.shape, v),
                TensorValues::F64(v) => Entry::f64(t.shape, v),
            };
            tensors.insert(t.name, entry);
        }
        metadata.extend(export.metadata);
        metadata.insert(
            "feature_names".into(),
            json!(self.feature_names).to_string(),
        );
        if let Some(labels) = self.model.labels() {
            metadata.insert("classes".into(), json!(labels.classes()).to_string());
        }
        Ok(serialize(&tensors, &metadata))
    }
}

/// The safetensors bytes of `tensors` (in name order) with string `metadata`.
fn serialize(tensors: &BTreeMap<String, Entry>, metadata: &BTreeMap<String, String>) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    header.insert("__metadata__".into(), json!(metadata));
    let mut offset = 0;
    for (name, t) in tensors {
        let end = offset + t.bytes.len();
        header.insert(
            name.clone(),
            json!({ "dtype": t.dtype, "shape": t.shape, "data_offsets": [offset, end] }),
        );
        offset = end;
    }
    let mut text = Value::Object(header).to_string().into_bytes();
    while !text.len().is_multiple_of(8) {
        text.push(b' ');
    }
    let mut bytes = Vec::with_capacity(8 + text.len() + offset);
    bytes.extend_from_slice(&(text.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&text);
    for t in tensors.values() {
        bytes.extend_from_slice(&t.bytes);
    }
    bytes
}
