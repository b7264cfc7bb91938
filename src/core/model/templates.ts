/**
 * Starting points for "BNN: New Model" and the bundled examples: the binary MLP and CNN of Larq's guides for 28×28×1
 * inputs, BinaryNet for CIFAR-10 as trained in the Bop paper (§5.2), a 1-D CNN for accelerometer windows, and
 * Bi-Real-style residual networks for 28×28×1 and 32×32×3.
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
  // Residual BNNs (Bi-Real Net, Liu et al. 2018): every binary 3×3 conv is wrapped by a real-valued identity shortcut,
  // so the float32 stream keeps what a sign would lose; a downsampling shortcut is AveragePooling2D + 1×1 real conv +
  // BatchNormalization. The stem stays real-valued (as Bi-Real, ReActNet and QuickNet keep their first layer).
  residualTemplate({
    id: 'binary-resnet',
    label: 'Binary ResNet, Bi-Real style (28×28×1)',
    description: 'Bi-Real-style residual BNN: real stem, 2 + 2 shortcut-wrapped binary convs at 32 and 64 channels, GAP head',
    name: 'binary_resnet',
    text: 'Bi-Real-style residual binary network for 28×28×1 inputs (MNIST / Fashion-MNIST): a real-valued 3×3 stem with a 2×2 max-pool, then binary 3×3 convs each wrapped by an identity shortcut on the float32 stream (14×14×32, then 7×7×64 after a downsampling block whose shortcut is AveragePooling2D + 1×1 real conv + BatchNormalization), global average pooling and a real-valued dense head. Sized for the smallest board in the boards table (Nucleo-F401RE: 512 KB flash, 96 KB RAM): the stem pool halves the float32 stream before the first shortcut.',
    input: [28, 28, 1],
    stem: { filters: 32, pool: true },
    stages: [{ filters: 32, blocks: 2 }, { filters: 64, blocks: 2 }],
  }),
  residualTemplate({
    id: 'binary-resnet-cifar10',
    label: 'Binary ResNet, Bi-Real style (CIFAR-10, 32×32×3)',
    description: 'Bi-Real-style residual BNN at MLPerf Tiny ResNet-8 widths (16/32/64) for 32×32×3 images',
    name: 'binary_resnet_cifar10',
    text: "Bi-Real-style residual binary network at the widths of MLPerf Tiny's image-classification ResNet-8 (16, 32, 64 channels) for 32×32×3 inputs (CIFAR-10): a real-valued 3×3 stem at full resolution, binary 3×3 convs each wrapped by an identity shortcut, two downsampling blocks (binary stride-2 conv; shortcut AveragePooling2D + 1×1 real conv + BatchNormalization), global average pooling and a dense head. The 1×1 shortcut convs and the head have ±1 kernels on real-valued inputs (each with a BatchNormalization for per-channel scale), so the weights are 5× smaller than ResNet-8's int8 ones. Each block's Add folds into a conv that overwrites the shortcut in place, so the network holds one 64 KB float32 map at 32×32×16 and its signs (86 KB of activations): it fits the 128 KB STM32s (the emulated board too) and the Nano 33 BLE, not the 96 KB F401RE — a strided stem would, at a quarter of the resolution.",
    input: [32, 32, 3],
    stem: { filters: 16, pool: false },
    stages: [{ filters: 16, blocks: 2 }, { filters: 32, blocks: 2 }, { filters: 64, blocks: 2 }],
    binaryShortcutsAndHead: true,
  }),
];

interface ResidualRecipe {
  id: string;
  label: string;
  description: string;
  name: string;
  text: string;
  input: [number, number, number];
  stem: { filters: number; pool: boolean };
  /** The first block of every stage after the first downsamples (stride 2, with its own shortcut). */
  stages: { filters: number; blocks: number }[];
  /** ±1 kernels (on real inputs) for the 1×1 shortcut convs and the dense head, each scaled by a BatchNormalization. */
  binaryShortcutsAndHead?: boolean;
}

/** A Bi-Real-style network from its widths: layer names say where each layer sits (s<stage>b<block>_…). */
function residualTemplate(r: ResidualRecipe): ModelTemplate {
  const layers: Record<string, unknown>[] = [
    { type: 'QuantConv2D', name: 'stem', filters: r.stem.filters, kernelSize: 3, padding: 'same', ...firstReal },
    ...(r.stem.pool ? [{ type: 'MaxPool2D', name: 'stem_pool', poolSize: 2 }] : []),
    { type: 'BatchNormalization', name: 'stem_bn' },
  ];
  let stream = 'stem_bn';
  r.stages.forEach((stage, si) => {
    for (let b = 0; b < stage.blocks; b++) {
      const p = `s${si + 1}b${b + 1}`;
      const down = si > 0 && b === 0;
      // Listed in the order that keeps the least float32 alive: the shortcut's pool, then the binary conv (its signs
      // taken before the block input is dropped), then the shortcut conv — into which the Add folds in place.
      if (down) layers.push({ type: 'AveragePooling2D', name: `${p}_down_pool`, inputs: [stream], poolSize: 2 });
      layers.push(
        { type: 'QuantConv2D', name: `${p}_conv`, inputs: [stream], filters: stage.filters, kernelSize: 3, padding: 'same', ...(down ? { strides: 2 } : {}), ...bin },
        { type: 'BatchNormalization', name: `${p}_bn` },
      );
      let shortcut = stream;
      if (down) {
        layers.push(
          { type: 'QuantConv2D', name: `${p}_down_conv`, inputs: [`${p}_down_pool`], filters: stage.filters, kernelSize: 1, ...(r.binaryShortcutsAndHead ? firstBin : firstReal) },
          { type: 'BatchNormalization', name: `${p}_down_bn` },
        );
        shortcut = `${p}_down_bn`;
      }
      layers.push({ type: 'Add', name: `${p}_add`, inputs: [shortcut, `${p}_bn`] });
      stream = `${p}_add`;
    }
  });
  layers.push(
    { type: 'GlobalAveragePooling2D', name: 'gap' },
    ...(r.binaryShortcutsAndHead
      ? [{ type: 'QuantDense', name: 'classifier', units: 10, ...firstBin }, { type: 'BatchNormalization', name: 'classifier_bn' }]
      : [{ type: 'QuantDense', name: 'classifier', units: 10, inputQuantizer: null, kernelQuantizer: null, useBias: true }]),
    { type: 'Activation', name: 'softmax', activation: 'softmax' },
  );
  return {
    id: r.id, label: r.label, description: r.description,
    doc: { name: r.name, description: r.text, input: { shape: r.input }, classes: 10, layers },
  };
}

/** The file text for a template, formatted as users will see it. */
export function templateText(t: ModelTemplate, name?: string): string {
  const doc = name ? { ...t.doc, name } : t.doc;
  return `${JSON.stringify(doc, null, 2).replace(/\[\n\s+(\d+),\n\s+(\d+),\n\s+(\d+)\n\s+\]/g, '[$1, $2, $3]')}\n`;
}
