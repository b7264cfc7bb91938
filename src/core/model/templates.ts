/**
 * Starting points for "BNN: New Model" and the bundled examples: the binary MLP and CNN of Larq's guides for 28×28×1
 * inputs, BinaryNet for CIFAR-10 as trained in the Bop paper (§5.2), and a 1-D CNN for accelerometer windows.
 */
export interface ModelTemplate {
  id: string;
  label: string;
  description: string;
  /** The model document as it is written to disk (a `*.bnn.json`). */
  doc: Record<string, unknown>;
}

const bin = { inputQuantizer: 'ste_sign', kernelQuantizer: 'ste_sign', useBias: false } as const;
const firstBin = { inputQuantizer: null, kernelQuantizer: 'ste_sign', useBias: false } as const;
/** A real-valued first kernel on the 8-bit input: 288 floats in the CNN, and its 32 filters stop flipping (see the CNN). */
const firstReal = { inputQuantizer: null, kernelQuantizer: null, useBias: false } as const;
const bn = { type: 'BatchNormalization', scale: false } as const;

export const TEMPLATES: readonly ModelTemplate[] = [
  {
    id: 'binary-mlp',
    label: 'Binary MLP (28×28×1)',
    description: '784-256-256-10 binary MLP for MNIST / Fashion-MNIST',
    doc: {
      name: 'binary_mlp',
      description: 'Binary MLP 784-256-256-10: binary weights everywhere, the 8-bit input is not binarized.',
      input: { shape: [28, 28, 1] },
      classes: 10,
      layers: [
        { type: 'Flatten' },
        { type: 'QuantDense', units: 256, ...firstBin },
        { ...bn },
        { type: 'QuantDense', units: 256, ...bin },
        { ...bn },
        { type: 'QuantDense', units: 10, ...bin },
        { ...bn },
        { type: 'Activation', activation: 'softmax' },
      ],
    },
  },
  {
    id: 'binary-cnn',
    label: 'Binary CNN (28×28×1)',
    description: "Larq's introductory binary CNN, widened for Fashion-MNIST",
    doc: {
      name: 'binary_cnn',
      description: "Larq's introductory BNN with 'same' padding, a pool after every convolution, a 256-unit dense layer and a learned scale on the class scores; the first convolution's 288 weights stay real-valued (as XNOR-Net, Bi-Real Net and Larq's QuickNet keep their first layer), every other layer is binary.",
      input: { shape: [28, 28, 1] },
      classes: 10,
      layers: [
        { type: 'QuantConv2D', filters: 32, kernelSize: 3, padding: 'same', ...firstReal },
        { type: 'MaxPool2D', poolSize: 2 },
        { ...bn },
        { type: 'QuantConv2D', filters: 64, kernelSize: 3, padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: 2 },
        { ...bn },
        { type: 'QuantConv2D', filters: 64, kernelSize: 3, padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: 2 },
        { ...bn },
        { type: 'Flatten' },
        { type: 'QuantDense', units: 256, ...bin },
        { ...bn },
        { type: 'QuantDense', units: 10, ...bin },
        { type: 'BatchNormalization', scale: true },
        { type: 'Activation', activation: 'softmax' },
      ],
    },
  },
  {
    id: 'binarynet-cifar10',
    label: 'BinaryNet (CIFAR-10, 32×32×3)',
    description: 'The Bop paper\'s BinaryNet: 128-128-256-256-512-512 3×3 convs, 1024-1024-10 dense',
    doc: {
      name: 'binarynet_cifar10',
      description: 'BinaryNet (Courbariaux et al. 2016) as trained with Bop in Helwegen et al. 2019, §5.2.',
      input: { shape: [32, 32, 3] },
      classes: 10,
      layers: [
        { type: 'QuantConv2D', filters: 128, kernelSize: 3, padding: 'same', ...firstBin },
        { ...bn },
        { type: 'QuantConv2D', filters: 128, kernelSize: 3, padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: 2 },
        { ...bn },
        { type: 'QuantConv2D', filters: 256, kernelSize: 3, padding: 'same', ...bin },
        { ...bn },
        { type: 'QuantConv2D', filters: 256, kernelSize: 3, padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: 2 },
        { ...bn },
        { type: 'QuantConv2D', filters: 512, kernelSize: 3, padding: 'same', ...bin },
        { ...bn },
        { type: 'QuantConv2D', filters: 512, kernelSize: 3, padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: 2 },
        { ...bn },
        { type: 'Flatten' },
        { type: 'QuantDense', units: 1024, ...bin },
        { ...bn },
        { type: 'QuantDense', units: 1024, ...bin },
        { ...bn },
        { type: 'QuantDense', units: 10, ...bin },
        { ...bn },
        { type: 'Activation', activation: 'softmax' },
      ],
    },
  },
  // A time-series model is an image of one column: [T, 1, C] windows (T samples of C sensor axes) through [k, 1]
  // kernels, so every layer the compiler and the board already run serves sensor data unchanged.
  {
    id: 'imu-gestures',
    label: 'Sensor windows: 3-axis accelerometer gestures ([128, 1, 3])',
    description: '1-D binary CNN over 128-sample, 3-axis windows: [5, 1] kernels, 4 gestures',
    doc: {
      name: 'imu_gestures',
      description: 'Binary 1-D CNN for accelerometer gestures: windows of 128 samples (2.56 s at 50 Hz) of x, y, z as a [128, 1, 3] input, [5, 1] kernels along time. The first kernel stays real-valued on the 8-bit input, every other layer is binary. Example data: npx tsx scripts/make-gesture-data.ts.',
      input: { shape: [128, 1, 3] },
      classes: 4,
      layers: [
        { type: 'QuantConv2D', filters: 32, kernelSize: [5, 1], padding: 'same', ...firstReal },
        { type: 'MaxPool2D', poolSize: [2, 1] },
        { ...bn },
        { type: 'QuantConv2D', filters: 64, kernelSize: [5, 1], padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: [4, 1] },
        { ...bn },
        { type: 'QuantConv2D', filters: 64, kernelSize: [5, 1], padding: 'same', ...bin },
        { type: 'MaxPool2D', poolSize: [4, 1] },
        { ...bn },
        { type: 'Flatten' },
        { type: 'QuantDense', units: 4, ...bin },
        { type: 'BatchNormalization', scale: true },
        { type: 'Activation', activation: 'softmax' },
      ],
    },
  },
];

/** The file text for a template, formatted as users will see it. */
export function templateText(t: ModelTemplate, name?: string): string {
  const doc = name ? { ...t.doc, name } : t.doc;
  return `${JSON.stringify(doc, null, 2).replace(/\[\n\s+(\d+),\n\s+(\d+),\n\s+(\d+)\n\s+\]/g, '[$1, $2, $3]')}\n`;
}
