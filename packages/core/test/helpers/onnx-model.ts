/**
 * Builds tiny ONNX models for tests: an image input and one output whose value is a
 * constant chosen by the test. The output is `constant + 0 * ReduceSum(input)`, so the
 * input is really consumed and the runtime runs a normal graph, yet the output is
 * exactly the tensor the test encoded (as long as the input has no NaN or infinity).
 *
 * This lets the detector be tested end to end, through a real onnxruntime session, on
 * output formats we have no real model for (YOLOv5, YOLOv8, end-to-end, unknown shapes).
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** A dimension: a fixed size, or a symbolic name for a dynamic axis. */
export type ModelDim = number | string;

/** Options of {@link buildConstantOutputModel}. */
export interface ConstantOutputModelOptions {
  /** The output's values, row-major. */
  output: Float32Array;
  /** The output's real dims (its values' layout). */
  outputDims: readonly number[];
  /** The output shape the model declares (strings are dynamic axes). Default: `outputDims`. */
  declaredOutputDims?: readonly ModelDim[];
  /** The declared input shape. Default `[1, 3, 64, 64]`. */
  inputDims?: readonly ModelDim[];
  /** Input name. Default `'images'`. */
  inputName?: string;
  /** Output name. Default `'output'`. */
  outputName?: string;
}

function valueInfo(name: string, dims: readonly ModelDim[]): InstanceType<typeof onnx.ValueInfoProto> {
  return onnx.ValueInfoProto.create({
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  });
}

function floatTensor(name: string, dims: readonly number[], values: Float32Array): InstanceType<typeof onnx.TensorProto> {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return onnx.TensorProto.create({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
}

/**
 * Serializes a model (ONNX opset 13) that maps an image input to a constant output.
 *
 * @returns the `.onnx` file bytes, ready for `InferenceSession.create(bytes)` or a file.
 *
 * @example
 * ```ts
 * const bytes = buildConstantOutputModel({ output: values, outputDims: [1, 300, 6] });
 * const session = await ort.InferenceSession.create(bytes);
 * ```
 */
export function buildConstantOutputModel(options: ConstantOutputModelOptions): Uint8Array {
  const inputName = options.inputName ?? 'images';
  const outputName = options.outputName ?? 'output';
  const inputDims = options.inputDims ?? [1, 3, 64, 64];
  const size = options.outputDims.reduce((a, b) => a * b, 1);
  if (size !== options.output.length) {
    throw new TypeError(`output has ${options.output.length} values but outputDims ${JSON.stringify(options.outputDims)} need ${size}`);
  }
  const graph = onnx.GraphProto.create({
    name: 'constant_output',
    initializer: [
      floatTensor('values', options.outputDims, options.output),
      floatTensor('zero', [], new Float32Array([0])),
    ],
    node: [
      onnx.NodeProto.create({
        opType: 'ReduceSum',
        input: [inputName],
        output: ['input_sum'],
        attribute: [onnx.AttributeProto.create({ name: 'keepdims', type: onnx.AttributeProto.AttributeType.INT, i: 0 })],
      }),
      onnx.NodeProto.create({ opType: 'Mul', input: ['input_sum', 'zero'], output: ['input_zero'] }),
      onnx.NodeProto.create({ opType: 'Add', input: ['values', 'input_zero'], output: [outputName] }),
    ],
    input: [valueInfo(inputName, inputDims)],
    output: [valueInfo(outputName, options.declaredOutputDims ?? options.outputDims)],
  });
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: 'vidai-tests',
    opsetImport: [{ domain: '', version: 13 }],
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}
