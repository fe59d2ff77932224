//! Embedding trained models: `Predictor` on every model kind, threads, bad requests and files;
//! the mutation fuzzer of model files; the model the `embed` example bundles; the safetensors
//! export read by Python. One test binary (each binary links burn: CI time).

mod embedded_model;
mod fuzz;
mod onnx_python;
mod predictor;
mod safetensors_python;
