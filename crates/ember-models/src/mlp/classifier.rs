//! `MlpClassifier`: a multilayer perceptron trained on softmax cross-entropy.

use burn::module::Module;
use burn::tensor::Device;
use ember_core::Problems;
use ember_data::{Dataset, LabelEncoder, Matrix, Scalar};
use ember_train::{BatchSource, History, MatrixBatch, Objective, RunOptions, TrainConfig};
use serde::{Deserialize, Serialize};

use super::{
    Activation, Mlp, MlpConfig, Trained, WeightInit, class_dataset, network, shape_problems,
};
use crate::FitError;
use crate::contract::{Export, Features, Fitted, Predict, Step, Task};

/// Hyper-parameters of [`MlpClassifier`]; `fit` trains one.
///
/// ```
/// use burn::tensor::Device;
/// use ember_models::mlp::MlpClassifierConfig;
/// use ember_train::{RunOptions, TrainConfig};
///
/// let data = ember_data::load("iris")?.cast::<f32>();
/// let config = MlpClassifierConfig {
///     hidden: vec![16],
///     train: TrainConfig { epochs: 100, learning_rate: 0.01, ..Default::default() },
///     run: RunOptions::quiet(),
///     ..Default::default()
/// };
/// let model = config.fit_dataset(&data, None, &Device::flex())?;
/// assert!(model.score(data.x(), &data.classes().unwrap())? > 0.9);
/// let p = model.predict_proba(data.x())?;
/// assert!((p.row(0).iter().sum::<f64>() - 1.0).abs() < 1e-12);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpClassifierConfig {
    /// Hidden layer sizes (scikit-learn's `hidden_layer_sizes`, default `[100]`).
    pub hidden: Vec<usize>,
    /// Activation after each hidden layer.
    pub activation: Activation,
    /// Dropout probability after each hidden activation.
    pub dropout: f64,
    /// Weight initialisation.
    pub init: WeightInit,
    /// The training loop's settings.
    pub train: TrainConfig,
    /// Where the loop writes checkpoints and logs, and how it shows progress (not a
    /// hyper-parameter: not saved with the model).
    #[serde(skip)]
    pub run: RunOptions,
}

impl Default for MlpClassifierConfig {
    fn default() -> Self {
        Self {
            hidden: vec![100],
            activation: Activation::Relu,
            dropout: 0.0,
            init: WeightInit::KaimingUniform,
            train: TrainConfig::default(),
            run: RunOptions::default(),
        }
    }
}

impl MlpClassifierConfig {
    /// Every invalid setting, each naming its field (`hidden[1]`, `train.batch_size`).
    ///
    /// ```
    /// use ember_models::mlp::MlpClassifierConfig;
    /// let config = MlpClassifierConfig { hidden: vec![8, 0], dropout: 1.5, ..Default::default() };
    /// let fields: Vec<_> = config.problems().into_vec().into_iter().map(|p| p.field).collect();
    /// assert_eq!(fields, ["hidden[1]", "dropout"]);
    /// ```
    pub fn problems(&self) -> Problems {
        let mut p = shape_problems(&self.hidden, self.dropout);
        p.nest("train", self.train.problems());
        p
    }

    /// Trains on features `x` and class indices `y` (`0..k`, k = the largest + 1).
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_data::Matrix;
    /// let x: Matrix = Matrix::zeros(3, 2);
    /// let err = ember_models::mlp::MlpClassifierConfig::default().fit(&x, &[0, 1], &Device::flex()).unwrap_err();
    /// assert_eq!(err.to_string(), "rows of X vs class labels: 3 vs 2");
    /// ```
    pub fn fit<T: Scalar>(
        &self,
        x: &Matrix<T>,
        y: &[usize],
        device: &Device,
    ) -> Result<MlpClassifier, FitError> {
        let data = class_dataset(x, y)?;
        self.fit_dataset(&data, None, device)
    }

    /// Trains on a data set whose target column holds class indices (as
    /// [`ember_data::load`] and `read_csv` with labels give); `valid` is scored every epoch
    /// (else `train.validation_fraction` of `data` is held out, if set). The data set's class
    /// names are kept.
    ///
    /// ```
    /// use burn::tensor::Device;
    /// use ember_models::mlp::MlpClassifierConfig;
    /// let data = ember_data::load("iris")?;
    /// let config = MlpClassifierConfig { hidden: vec![], ..Default::default() };
    /// let bad = ember_train::TrainConfig { epochs: 0, ..Default::default() };
    /// let err = MlpClassifierConfig { train: bad, ..config }.fit_dataset(&data, None, &Device::flex()).unwrap_err();
    /// assert_eq!(err.to_string(), "invalid config `epochs`: must be at least 1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fit_dataset<T: Scalar>(
        &self,
        data: &Dataset<T>,
        valid: Option<&Dataset<T>>,
        device: &Device,
    ) -> Result<MlpClassifier, FitError> {
        let n_classes = n_classes(data, valid)?;
        let shape = network(
            data.x().n_cols(),
            &self.hidden,
            n_classes,
            self.activation,
            self.dropout,
            self.init,
        )?;
        let fitted = Trained::train(
            shape,
            Objective::CrossEntropy { n_classes },
            data,
            valid,
            &self.train,
            &self.run,
            device,
        )?;
        Ok(MlpClassifier {
            config: self.clone(),
            fitted,
            labels: data.labels().cloned(),
        })
    }
}

impl MlpClassifierConfig {
    /// Trains on batches from any source whose targets are class indices `0..n_classes` (a
    /// row file on disk through [`ember_train::FileData`], some rows of one through
    /// [`ember_train::Subset`]): the loop of [`fit_dataset`](Self::fit_dataset), data that
    /// need not fit in memory. `labels` names the classes.
    pub fn fit_source(
        &self,
        data: &dyn BatchSource<MatrixBatch>,
        n_features: usize,
        n_classes: usize,
        labels: Option<LabelEncoder>,
        device: &Device,
    ) -> Result<MlpClassifier, FitError> {
        if n_classes < 2
            || labels
                .as_ref()
                .is_some_and(|l| l.classes().len() != n_classes)
        {
            return Err(FitError::InvalidConfig {
                field: "y".into(),
                message: format!(
                    "classification needs at least two classes, and a name for each; got {n_classes} classes and {} names",
                    labels.as_ref().map_or(0, |l| l.classes().len())
                ),
            });
        }
        let shape = network(
            n_features,
            &self.hidden,
            n_classes,
            self.activation,
            self.dropout,
            self.init,
        )?;
        let fitted = Trained::train_on(
            shape,
            Objective::CrossEntropy { n_classes },
            data,
            None,
            &self.train,
            &self.run,
            device,
        )?;
        Ok(MlpClassifier {
            config: self.clone(),
            fitted,
            labels,
        })
    }
}

/// Number of classes (see [`Dataset::n_classes`]); the validation set's targets must be among
/// them.
fn n_classes<T: Scalar>(data: &Dataset<T>, valid: Option<&Dataset<T>>) -> Result<usize, FitError> {
    let k = data.n_classes()?;
    if k < 2 {
        return Err(FitError::InvalidConfig {
            field: "y".into(),
            message: "classification needs one target column with at least two classes".into(),
        });
    }
    if let Some(v) = valid
        && let Some((row, _)) = ember_data::first_non_class(v.y().as_slice(), k)
    {
        return Err(FitError::InvalidConfig {
            field: "valid".into(),
            message: format!("row {row} of the validation targets is not a class 0..{k}"),
        });
    }
    Ok(k)
}

/// A trained multilayer-perceptron classifier. Made only by [`MlpClassifierConfig`]'s `fit`.
#[derive(Debug)]
pub struct MlpClassifier {
    config: MlpClassifierConfig,
    fitted: Trained,
    labels: Option<LabelEncoder>,
}

impl MlpClassifier {
    /// Class probabilities, one row per sample, each summing to 1 (scikit-learn's
    /// `predict_proba`).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// # let config = ember_models::mlp::MlpClassifierConfig { train: ember_train::TrainConfig { epochs: 2, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// let model = config.fit_dataset(&data, None, &Device::flex())?;
    /// assert_eq!(model.predict_proba(data.x())?.shape(), (150, 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predict_proba<T: Scalar>(&self, x: &Matrix<T>) -> Result<Matrix, FitError> {
        self.proba(Features::from(x.cast::<f32>()))
    }

    /// The most probable class of each sample (an index into [`labels`](Self::labels)).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// # let config = ember_models::mlp::MlpClassifierConfig { train: ember_train::TrainConfig { epochs: 2, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// let model = config.fit_dataset(&data, None, &Device::flex())?;
    /// assert!(model.predict(data.x())?.iter().all(|&c| c < 3));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn predict<T: Scalar>(&self, x: &Matrix<T>) -> Result<Vec<usize>, FitError> {
        let outputs = self.fitted.outputs(x)?;
        Ok(ember_core::argmax_rows(&outputs, self.n_classes()))
    }

    /// Accuracy on `x` against the true class indices `y` (scikit-learn's `score`).
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// # let config = ember_models::mlp::MlpClassifierConfig { train: ember_train::TrainConfig { epochs: 2, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// let model = config.fit_dataset(&data, None, &Device::flex())?;
    /// let accuracy = model.score(data.x(), &data.classes().unwrap())?;
    /// assert!((0.0..=1.0).contains(&accuracy));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn score<T: Scalar>(&self, x: &Matrix<T>, y: &[usize]) -> Result<f64, FitError> {
        Ok(ember_metrics::accuracy_score(y, &self.predict(x)?)?)
    }

    /// Number of classes.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// # let config = ember_models::mlp::MlpClassifierConfig { train: ember_train::TrainConfig { epochs: 1, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// assert_eq!(config.fit_dataset(&data, None, &Device::flex())?.n_classes(), 3);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn n_classes(&self) -> usize {
        self.fitted.shape.n_outputs
    }

    /// The class names the indices stand for, when the data set had them.
    ///
    /// ```
    /// # use burn::tensor::Device;
    /// # let data = ember_data::load("iris")?;
    /// # let config = ember_models::mlp::MlpClassifierConfig { train: ember_train::TrainConfig { epochs: 1, ..Default::default() }, run: ember_train::RunOptions::quiet(), ..Default::default() };
    /// let model = config.fit_dataset(&data, None, &Device::flex())?;
    /// assert_eq!(model.labels().unwrap().decode(0), Some("setosa"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn labels(&self) -> Option<&LabelEncoder> {
        self.labels.as_ref()
    }

    /// Every epoch's metrics.
    pub fn history(&self) -> &History {
        &self.fitted.history
    }

    /// Training loss per epoch (scikit-learn's `loss_curve_`).
    pub fn loss_history(&self) -> Vec<f64> {
        self.fitted.history.series("train_loss")
    }

    /// Epochs run (scikit-learn's `n_iter_`).
    pub fn n_iter(&self) -> usize {
        self.fitted.history.epochs.len()
    }

    /// The epoch whose weights the model holds (the best one with early stopping's
    /// `restore_best`).
    pub fn best_epoch(&self) -> usize {
        self.fitted.epoch
    }

    /// The network.
    pub fn module(&self) -> &Mlp {
        &self.fitted.module
    }

    /// The network's shape (to rebuild it before loading weights).
    pub fn shape(&self) -> &MlpConfig {
        &self.fitted.shape
    }

    /// The hyper-parameters it was trained with.
    pub fn config(&self) -> &MlpClassifierConfig {
        &self.config
    }
}

/// What a model file stores of an [`MlpClassifier`] (the weights travel apart).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpClassifierState {
    /// The hyper-parameters.
    pub config: MlpClassifierConfig,
    /// Layer sizes, activation, dropout, initialisation.
    pub shape: MlpConfig,
    /// Class names.
    pub labels: Option<LabelEncoder>,
}

impl Fitted for MlpClassifier {
    const KIND: &'static str = "mlp_classifier";
    type State = MlpClassifierState;

    fn task(&self) -> Task {
        Task::Classification
    }
    fn n_features(&self) -> usize {
        self.fitted.shape.n_inputs
    }
    fn n_outputs(&self) -> usize {
        self.n_classes()
    }
    fn n_params(&self) -> usize {
        self.fitted.module.num_params()
    }
    fn outputs(&self, x: Features<'_>) -> Result<Matrix, FitError> {
        let n = x.n_rows();
        let out = self.fitted.outputs_of(x)?;
        let k = out.len() / n.max(1);
        Ok(Matrix::new(n, k, out.into_iter().map(f64::from).collect())?)
    }
    fn state(&self) -> Result<(Self::State, Vec<u8>), FitError> {
        let state = MlpClassifierState {
            config: self.config.clone(),
            shape: self.fitted.shape.clone(),
            labels: self.labels.clone(),
        };
        Ok((state, self.fitted.weights()?))
    }
    fn from_state(s: Self::State, weights: &[u8], device: &Device) -> Result<Self, FitError> {
        Ok(Self {
            config: s.config,
            fitted: Trained::restore(s.shape, weights, device)?,
            labels: s.labels,
        })
    }
    fn export(&self) -> Result<Export, FitError> {
        self.fitted.export()
    }
    fn steps(&self) -> Result<Vec<Step>, FitError> {
        self.fitted.steps()
    }
    fn labels(&self) -> Option<&LabelEncoder> {
        self.labels.as_ref()
    }
    fn training(&self) -> Option<(&History, usize)> {
        Some((&self.fitted.history, self.fitted.epoch))
    }
    fn loss_history(&self) -> Vec<f64> {
        MlpClassifier::loss_history(self)
    }
}

estimator!(
    MlpClassifierConfig,
    "mlp_classifier",
    Classification,
    |c, train, valid, device| c.fit_dataset(train, valid, device),
    train: train
);
