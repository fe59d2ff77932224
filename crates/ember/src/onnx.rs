//! A model file as an ONNX model (opset 17, IR version 8), for onnxruntime and every runtime
//! that reads ONNX: the scaler folded in as its first nodes, then the model's own steps
//! ([`Step`]), then its outputs.
//!
//! Inputs and outputs: `features` (`float32 [N, features]`, the raw features; their names in
//! its doc string and in the model's metadata `feature_names`); a regressor gives
//! `predictions` (`float32 [N, targets]`), a classifier `label` (`int64 [N]`, an index into
//! the metadata `classes` when the training data named its classes) and `probabilities`
//! (`float32 [N, classes]`), a clustering `label` and `distances` (squared, `float32 [N,
//! clusters]`). Linear models, centres, probabilities and the un-scaling of an MLP regressor's
//! targets compute in `float64`, networks in `float32`, as ember's own Predictor does; so the
//! graph needs a runtime with float64 kernels (onnxruntime's CPU provider has them).

use ember_core::protobuf::Message;
use ember_models::Task;
use ember_models::contract::{Precision, Step};
use serde_json::json;

use crate::model_file::{ModelFile, ModelFileError};

/// The opset the graph uses.
pub const OPSET: i64 = 17;
const IR_VERSION: i64 = 8;
const FLOAT: i64 = 1;
const INT64: i64 = 7;
const DOUBLE: i64 = 11;

/// A graph being built: its nodes and constant tensors, and the name of the latest value.
struct Graph {
    nodes: Vec<Message>,
    initializers: Vec<Message>,
    current: String,
    precision: Precision,
    count: usize,
}

impl Graph {
    fn fresh(&mut self, what: &str) -> String {
        self.count += 1;
        format!("{what}_{}", self.count)
    }

    /// A node of `op` on `inputs` with `attributes`; returns its output's name.
    fn node(&mut self, op: &str, inputs: &[&str], attributes: Vec<Message>) -> String {
        let output = self.fresh(&op.to_lowercase());
        let mut node = Message::new();
        for input in inputs {
            node = node.string(1, input);
        }
        node = node.string(2, &output).string(3, &output).string(4, op);
        for a in &attributes {
            node = node.message(5, a);
        }
        self.nodes.push(node);
        output
    }

    /// `op` applied to the current value (with more inputs after it); it becomes current.
    fn apply(&mut self, op: &str, more: &[&str], attributes: Vec<Message>) {
        let current = self.current.clone();
        let mut inputs = vec![current.as_str()];
        inputs.extend_from_slice(more);
        self.current = self.node(op, &inputs, attributes);
    }

    /// A constant of `shape` in the current precision; returns its name.
    fn constant(&mut self, what: &str, shape: &[usize], values: &[f64]) -> String {
        let name = self.fresh(what);
        let (data_type, raw): (i64, Vec<u8>) = match self.precision {
            Precision::F32 => (
                FLOAT,
                values
                    .iter()
                    .flat_map(|&v| (v as f32).to_le_bytes())
                    .collect(),
            ),
            Precision::F64 => (
                DOUBLE,
                values.iter().flat_map(|v| v.to_le_bytes()).collect(),
            ),
        };
        let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
        let tensor = Message::new()
            .packed_int64(1, &dims)
            .int64(2, data_type)
            .string(8, &name)
            .bytes(9, &raw);
        self.initializers.push(tensor);
        name
    }

    /// An `int64` constant (axes); returns its name.
    fn int64s(&mut self, what: &str, values: &[i64]) -> String {
        let name = self.fresh(what);
        let raw: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        let tensor = Message::new()
            .packed_int64(1, &[values.len() as i64])
            .int64(2, INT64)
            .string(8, &name)
            .bytes(9, &raw);
        self.initializers.push(tensor);
        name
    }

    /// Casts the current value to `precision` when it is in the other one.
    fn to(&mut self, precision: Precision) {
        if self.precision != precision {
            let to = match precision {
                Precision::F32 => FLOAT,
                Precision::F64 => DOUBLE,
            };
            self.apply("Cast", &[], vec![int_attribute("to", to)]);
            self.precision = precision;
        }
    }

    fn step(&mut self, step: &Step) -> Result<(), ModelFileError> {
        match step {
            Step::Affine {
                weight,
                bias,
                precision,
            } => {
                self.to(*precision);
                let (k, d) = weight.shape();
                let w = self.constant("weight", &[k, d], weight.as_slice());
                let b = self.constant("bias", &[k], bias);
                self.apply("Gemm", &[&w, &b], vec![int_attribute("transB", 1)]);
            }
            Step::Activation(name) => self.activation(name)?,
            Step::Scale { scale, offset } => {
                self.to(Precision::F64);
                let s = self.constant("scale", &[1, scale.len()], scale);
                let o = self.constant("offset", &[1, offset.len()], offset);
                self.apply("Mul", &[&s], Vec::new());
                self.apply("Add", &[&o], Vec::new());
            }
            Step::SquaredDistances { centres } => {
                self.to(Precision::F64);
                // ‖x‖² − 2·x·cᵀ + ‖c‖² in float64, clipped at 0: `N × k` memory (the
                // difference of every row and centre would take `N × k × features`).
                let (k, d) = centres.shape();
                let transposed: Vec<f64> = (0..d)
                    .flat_map(|j| (0..k).map(move |c| centres.get(c, j)))
                    .collect();
                let ct = self.constant("centres_t", &[d, k], &transposed);
                let norms: Vec<f64> = centres
                    .rows()
                    .map(|r| r.iter().map(|v| v * v).sum())
                    .collect();
                let c2 = self.constant("centre_norms", &[1, k], &norms);
                let two = self.constant("two", &[], &[2.0]);
                let zero = self.constant("zero", &[], &[0.0]);
                let x = self.current.clone();
                let x2 = self.node(
                    "ReduceSumSquare",
                    &[&x],
                    vec![ints_attribute("axes", &[1]), int_attribute("keepdims", 1)],
                );
                let xc = self.node("MatMul", &[&x, &ct], Vec::new());
                let twice = self.node("Mul", &[&xc, &two], Vec::new());
                let diff = self.node("Sub", &[&x2, &twice], Vec::new());
                let sum = self.node("Add", &[&diff, &c2], Vec::new());
                self.current = self.node("Max", &[&sum, &zero], Vec::new());
            }
        }
        Ok(())
    }

    fn activation(&mut self, name: &str) -> Result<(), ModelFileError> {
        match name {
            "relu" => self.apply("Relu", &[], Vec::new()),
            "tanh" => self.apply("Tanh", &[], Vec::new()),
            "sigmoid" => self.apply("Sigmoid", &[], Vec::new()),
            "leaky_relu" => self.apply("LeakyRelu", &[], vec![float_attribute("alpha", 0.01)]),
            "gelu" => {
                // x · ½ · (1 + erf(x / √2)): Gelu is an operator only from opset 20.
                let x = self.current.clone();
                let root2 = self.constant("sqrt2", &[], &[std::f64::consts::SQRT_2]);
                let one = self.constant("one", &[], &[1.0]);
                let half = self.constant("half", &[], &[0.5]);
                let scaled = self.node("Div", &[&x, &root2], Vec::new());
                let erf = self.node("Erf", &[&scaled], Vec::new());
                let plus = self.node("Add", &[&erf, &one], Vec::new());
                let times = self.node("Mul", &[&x, &plus], Vec::new());
                self.current = self.node("Mul", &[&times, &half], Vec::new());
            }
            other => {
                return Err(ModelFileError::Corrupt(format!(
                    "no ONNX form for the activation `{other}`"
                )));
            }
        }
        Ok(())
    }

    /// The outputs of a model of `task` with `k` outputs (classes) from its raw outputs (one
    /// logit for a binary classifier): each value's name, element type and width.
    fn outputs(&mut self, task: Task, k: usize, one_logit: bool) -> Vec<(String, i64, usize)> {
        let raw = self.current.clone();
        match task {
            Task::Regression => {
                self.to(Precision::F32);
                vec![(self.current.clone(), FLOAT, k)]
            }
            Task::Classification => {
                // The label from the logits, as ember takes it: z > 0 for one logit, else the
                // first largest; the probabilities in float64, as ember computes them.
                let label = if one_logit {
                    let zero = self.constant("zero", &[], &[0.0]);
                    let positive = self.node("Greater", &[&raw, &zero], Vec::new());
                    let as_int = self.node("Cast", &[&positive], vec![int_attribute("to", INT64)]);
                    let axis = self.int64s("axis", &[1]);
                    self.node("Squeeze", &[&as_int, &axis], Vec::new())
                } else {
                    self.node(
                        "ArgMax",
                        &[&raw],
                        vec![int_attribute("axis", 1), int_attribute("keepdims", 0)],
                    )
                };
                self.to(Precision::F64);
                let z = self.current.clone();
                self.current = if one_logit {
                    // [1 − σ(z), σ(z)].
                    let p1 = self.node("Sigmoid", &[&z], Vec::new());
                    let one = self.constant("one", &[], &[1.0]);
                    let p0 = self.node("Sub", &[&one, &p1], Vec::new());
                    self.node("Concat", &[&p0, &p1], vec![int_attribute("axis", 1)])
                } else {
                    self.node("Softmax", &[&z], vec![int_attribute("axis", 1)])
                };
                self.to(Precision::F32);
                vec![(label, INT64, 0), (self.current.clone(), FLOAT, k)]
            }
            Task::Clustering => {
                let label = self.node(
                    "ArgMin",
                    &[&raw],
                    vec![int_attribute("axis", 1), int_attribute("keepdims", 0)],
                );
                self.to(Precision::F32);
                vec![(label, INT64, 0), (self.current.clone(), FLOAT, k)]
            }
        }
    }
}

fn int_attribute(name: &str, value: i64) -> Message {
    Message::new().string(1, name).int64(3, value).int64(20, 2)
}

fn ints_attribute(name: &str, values: &[i64]) -> Message {
    let mut a = Message::new().string(1, name);
    for &v in values {
        a = a.int64(8, v);
    }
    a.int64(20, 7)
}

fn float_attribute(name: &str, value: f32) -> Message {
    Message::new().string(1, name).float(2, value).int64(20, 1)
}

/// `ValueInfoProto` of a tensor `[N]` (`width` 0) or `[N, width]`.
fn value_info(name: &str, elem_type: i64, width: usize, doc: &str) -> Message {
    let mut shape = Message::new().message(1, &Message::new().string(2, "N"));
    if width > 0 {
        shape = shape.message(1, &Message::new().int64(1, width as i64));
    }
    let tensor = Message::new().int64(1, elem_type).message(2, &shape);
    let mut info = Message::new()
        .string(1, name)
        .message(2, &Message::new().message(1, &tensor));
    if !doc.is_empty() {
        info = info.string(3, doc);
    }
    info
}

fn entry(key: &str, value: &str) -> Message {
    Message::new().string(1, key).string(2, value)
}

impl ModelFile {
    /// The model, its scaler folded in, as ONNX bytes (see the [module](self) docs).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember::model_file::ModelFile;
    /// let data = ember::data::load("iris")?;
    /// let model = ember::models::logistic::LogisticRegressionConfig::default().fit_dataset(&data, &Device::flex())?;
    /// let onnx = ModelFile::new(model.into(), None, &data, None).to_onnx()?;
    /// assert!(onnx.windows(7).any(|w| w == b"Softmax"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn to_onnx(&self) -> Result<Vec<u8>, ModelFileError> {
        let model = &self.model;
        let d = model.n_features();
        let mut graph = Graph {
            nodes: Vec::new(),
            initializers: Vec::new(),
            current: "features".into(),
            precision: Precision::F32,
            count: 0,
        };
        if let Some(scaler) = &self.scaler {
            let (scale, offset) = scaler
                .affine(d)
                .map_err(|e| ModelFileError::Corrupt(format!("scaler: {e}")))?;
            let s = graph.constant("input_scale", &[1, d], &scale);
            let o = graph.constant("input_offset", &[1, d], &offset);
            graph.apply("Mul", &[&s], Vec::new());
            graph.apply("Add", &[&o], Vec::new());
        }
        let steps = model.steps()?;
        for step in &steps {
            graph.step(step)?;
        }
        let one_logit =
            matches!(steps.last(), Some(Step::Affine { weight, .. }) if weight.n_rows() == 1);
        let task = model.task();
        let outputs = graph.outputs(task, model.n_outputs(), one_logit);
        Ok(self.model_proto(graph, task, outputs).into_bytes())
    }

    fn model_proto(
        &self,
        mut graph: Graph,
        task: Task,
        outputs: Vec<(String, i64, usize)>,
    ) -> Message {
        let names: Vec<&str> = match task {
            Task::Regression => vec!["predictions"],
            Task::Classification => vec!["label", "probabilities"],
            Task::Clustering => vec!["label", "distances"],
        };
        // Rename the final values to the documented output names with Identity nodes.
        let mut g = Message::new();
        for ((value, _, _), name) in outputs.iter().zip(&names) {
            let node = Message::new()
                .string(1, value)
                .string(2, name)
                .string(3, name)
                .string(4, "Identity");
            graph.nodes.push(node);
        }
        for node in &graph.nodes {
            g = g.message(1, node);
        }
        g = g.string(2, self.model.kind());
        for t in &graph.initializers {
            g = g.message(5, t);
        }
        let features = json!(self.feature_names).to_string();
        g = g.message(
            11,
            &value_info("features", FLOAT, self.model.n_features(), &features),
        );
        for ((_, elem_type, width), name) in outputs.iter().zip(&names) {
            g = g.message(12, &value_info(name, *elem_type, *width, ""));
        }
        let mut m = Message::new()
            .int64(1, IR_VERSION)
            .string(2, "ember")
            .string(3, env!("CARGO_PKG_VERSION"))
            .message(7, &g)
            .message(8, &Message::new().int64(2, OPSET));
        let mut metadata = vec![
            ("kind", self.model.kind().to_string()),
            ("feature_names", features),
            ("target_names", json!(self.target_names).to_string()),
        ];
        if let Some(labels) = self.model.labels() {
            metadata.push(("classes", json!(labels.classes()).to_string()));
        }
        for (key, value) in metadata {
            m = m.message(14, &entry(key, &value));
        }
        m
    }
}
