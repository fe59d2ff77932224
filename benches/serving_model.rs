//! The model the serving benchmarks load: an MLP classifier 784→256→128→10 with burn's
//! initial weights for `device.seed(0)`, as a model file.

use burn::module::Module;
use burn::tensor::Device;
use ember::model_file::ModelFile;
use ember::models::mlp::{MlpClassifierConfig, MlpClassifierState, MlpConfig};
use ember::models::{FittedModel, ModelState};

/// The MLP classifier 784→256→128→10, seeded, on `device`.
pub fn mlp_784_file(device: &Device) -> anyhow::Result<ModelFile> {
    device.seed(0);
    let shape = MlpConfig::new(784, vec![256, 128], 10);
    let weights = shape.init(device).into_record().into_bytes()?.to_vec();
    let state = ModelState::MlpClassifier(MlpClassifierState {
        config: MlpClassifierConfig {
            hidden: vec![256, 128],
            ..Default::default()
        },
        shape,
        labels: None,
    });
    Ok(ModelFile {
        model: FittedModel::from_state(state, &weights, device)?,
        scaler: None,
        feature_names: Vec::new(),
        target_names: Vec::new(),
        csv_options: None,
    })
}
