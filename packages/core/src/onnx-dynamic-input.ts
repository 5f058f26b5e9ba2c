import { ErrorCodes, VidaiError } from './errors.js';
import { anchorPointCount } from './yolox-decoder.js';

/*
 * Just enough of the protobuf wire format to rewrite the declared shapes of an ONNX
 * model's image input and detection outputs; every other byte is copied as it is.
 * Field numbers from onnx.proto3.
 */
const MODEL_GRAPH = 7;
const GRAPH_INPUT = 11;
const GRAPH_OUTPUT = 12;
const GRAPH_VALUE_INFO = 13;
const VALUE_INFO_NAME = 1;
const VALUE_INFO_TYPE = 2;
const TYPE_TENSOR = 1;
const TENSOR_SHAPE = 2;
const SHAPE_DIM = 1;
const DIM_VALUE = 1;
const DIM_PARAM = 2;

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** One field of a message: its number and wire type, where it starts, and its payload. */
interface Field {
  no: number;
  wire: number;
  /** Offset of the tag. */
  start: number;
  /** Payload: the bytes of a length-delimited field, or the value bytes of the others. */
  data: Uint8Array;
  /** Offset just past the field. */
  end: number;
}

function malformed(reason: string): VidaiError {
  return new VidaiError(ErrorCodes.MODEL_LOAD_FAILED, `The model is not a readable ONNX file: ${reason}.`);
}

function readVarint(buf: Uint8Array, pos: number): { value: number; next: number } {
  let value = 0;
  let factor = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) throw malformed('a number runs past the end of the file');
    const byte = buf[pos++]!;
    value += (byte & 0x7f) * factor;
    if (byte < 0x80) return { value, next: pos };
    factor *= 128;
  }
  throw malformed('a number is longer than 10 bytes');
}

function fields(buf: Uint8Array): Field[] {
  const out: Field[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const start = pos;
    const tag = readVarint(buf, pos);
    pos = tag.next;
    const no = Math.floor(tag.value / 8);
    const wire = tag.value % 8;
    let dataStart = pos;
    switch (wire) {
      case WIRE_VARINT:
        pos = readVarint(buf, pos).next;
        break;
      case WIRE_I64:
        pos += 8;
        break;
      case WIRE_I32:
        pos += 4;
        break;
      case WIRE_LEN: {
        const len = readVarint(buf, pos);
        dataStart = len.next;
        pos = len.next + len.value;
        break;
      }
      default:
        throw malformed(`unknown wire type ${wire}`);
    }
    if (pos > buf.length) throw malformed('a field runs past the end of the file');
    out.push({ no, wire, start, data: buf.subarray(dataStart, pos), end: pos });
  }
  return out;
}

function varint(value: number): number[] {
  const bytes: number[] = [];
  while (value >= 0x80) {
    bytes.push((value % 128) | 0x80);
    value = Math.floor(value / 128);
  }
  bytes.push(value);
  return bytes;
}

/** A length-delimited field made of `parts`. */
function lenField(no: number, parts: readonly Uint8Array[]): Uint8Array[] {
  const length = parts.reduce((n, p) => n + p.length, 0);
  return [Uint8Array.from([...varint(no * 8 + WIRE_LEN), ...varint(length)]), ...parts];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * Rebuilds a message: each field goes through `edit`, which returns its replacement
 * parts (`null` drops it, `undefined` keeps its original bytes).
 */
function rewrite(buf: Uint8Array, edit: (field: Field) => Uint8Array[] | null | undefined): Uint8Array[] {
  const parts: Uint8Array[] = [];
  for (const field of fields(buf)) {
    const replaced = edit(field);
    if (replaced === undefined) parts.push(buf.subarray(field.start, field.end));
    else if (replaced !== null) parts.push(...replaced);
  }
  return parts;
}

type TextDecoderLike = new () => { decode(bytes: Uint8Array): string };
const PlatformTextDecoder = (globalThis as { TextDecoder?: TextDecoderLike }).TextDecoder;
const decoder = PlatformTextDecoder ? new PlatformTextDecoder() : { decode: (bytes: Uint8Array) => String.fromCharCode(...bytes) };

/** The bytes of an ASCII string (the symbolic dim names written here). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** A value's name and dims (numbers, or strings for symbolic dims). */
interface ValueShape {
  name: string;
  dims: Array<number | string | undefined>;
}

function shapeOf(valueInfo: Uint8Array): ValueShape {
  let name = '';
  const dims: ValueShape['dims'] = [];
  for (const f of fields(valueInfo)) {
    if (f.no === VALUE_INFO_NAME && f.wire === WIRE_LEN) name = decoder.decode(f.data);
    if (f.no !== VALUE_INFO_TYPE || f.wire !== WIRE_LEN) continue;
    for (const t of fields(f.data)) {
      if (t.no !== TYPE_TENSOR || t.wire !== WIRE_LEN) continue;
      for (const s of fields(t.data)) {
        if (s.no !== TENSOR_SHAPE || s.wire !== WIRE_LEN) continue;
        for (const d of fields(s.data)) {
          if (d.no !== SHAPE_DIM || d.wire !== WIRE_LEN) continue;
          let dim: number | string | undefined;
          for (const v of fields(d.data)) {
            if (v.no === DIM_VALUE && v.wire === WIRE_VARINT) dim = readVarint(v.data, 0).value;
            if (v.no === DIM_PARAM && v.wire === WIRE_LEN) dim = decoder.decode(v.data);
          }
          dims.push(dim);
        }
      }
    }
  }
  return { name, dims };
}

/** The value info with dims at `symbolic` indices replaced by named symbolic dims. */
function withSymbolicDims(valueInfo: Uint8Array, symbolic: ReadonlyMap<number, string>): Uint8Array[] {
  let index = 0;
  const dim = (): Uint8Array[] | undefined => {
    const param = symbolic.get(index++);
    return param === undefined ? undefined : lenField(SHAPE_DIM, lenField(DIM_PARAM, [ascii(param)]));
  };
  const nested = (no: number, inner: (f: Field) => Uint8Array[] | undefined) => (f: Field) =>
    f.no === no && f.wire === WIRE_LEN ? lenField(no, rewrite(f.data, inner)) : undefined;
  return rewrite(
    valueInfo,
    nested(VALUE_INFO_TYPE, nested(TYPE_TENSOR, nested(TENSOR_SHAPE, (d) => (d.no === SHAPE_DIM && d.wire === WIRE_LEN ? dim() : undefined)))),
  );
}

/** What {@link withDynamicInputSize} changed. */
export interface DynamicInputReport {
  /** The image input and its declared dims before the change. */
  input: { name: string; dims: ReadonlyArray<number | string | undefined> };
  /**
   * The input size the file declared (its fixed height and width), when it had one:
   * the size the model was exported for, which a detector should keep as the bound of
   * its resize.
   */
  inputSize: { width: number; height: number } | undefined;
  /** Outputs whose dims were made symbolic, by name: their declared dims before, and the indices changed. */
  outputs: Record<string, { dims: ReadonlyArray<number | string | undefined>; symbolic: number[] }>;
}

/**
 * Makes an ONNX model's image input take any height and width: the input's declared
 * dims 2 and 3 become the symbolic `height` and `width`, output dims that count anchor
 * points of the declared size (the `3549` of YOLOX-Nano's `[1, 3549, 85]`, the `8400` of
 * a YOLOv8 `[1, 84, 8400]`, three times that for YOLOv5) become `anchors`, and the
 * graph's recorded intermediate shapes (`value_info`) are dropped because they held the
 * old size. Nothing else in the file changes. onnxruntime then accepts inputs of other
 * sizes, which {@link letterbox}'s `padMultiple` (minimal padding) needs.
 *
 * This only changes what the model declares: the graph itself must compute its shapes
 * from the input (YOLOX, YOLOv5 and Ultralytics exports do). A graph with sizes baked
 * into its nodes fails at the first run of another size; `YoloDetector` checks this
 * with one probe run when it is created.
 *
 * The input is never modified.
 *
 * @param model - The bytes of an `.onnx` file.
 * @param inputName - The image input. Default: the first input with 4 dims.
 * @throws VidaiError `model-load-failed` when the bytes are not an ONNX model;
 *   `model-shape-mismatch` when there is no `[N, C, H, W]` input.
 *
 * @example
 * ```ts
 * const file = new Uint8Array(await (await fetch('/models/yolox_nano.onnx')).arrayBuffer());
 * const session = await ort.InferenceSession.create(withDynamicInputSize(file).model);
 * const detector = await YoloDetector.fromCatalog('yolox-nano', { session, padding: 'minimal' });
 * ```
 */
export function withDynamicInputSize(model: Uint8Array, inputName?: string): { model: Uint8Array; report: DynamicInputReport } {
  const top = fields(model);
  const graphs = top.filter((f) => f.no === MODEL_GRAPH && f.wire === WIRE_LEN);
  if (graphs.length !== 1) throw malformed(graphs.length === 0 ? 'it has no graph' : 'it has more than one graph');
  const graph = graphs[0]!;
  const graphFields = fields(graph.data);
  const inputs = graphFields.filter((f) => f.no === GRAPH_INPUT && f.wire === WIRE_LEN);
  const image = inputs.find((f) => {
    const shape = shapeOf(f.data);
    return inputName === undefined ? shape.dims.length === 4 : shape.name === inputName;
  });
  if (image === undefined) {
    throw new VidaiError(
      ErrorCodes.MODEL_SHAPE_MISMATCH,
      inputName === undefined
        ? 'The model has no image input with 4 dims ([N, C, H, W]); there is no height and width to make dynamic.'
        : `The model has no input named '${inputName}'.`,
    );
  }
  const input = shapeOf(image.data);
  if (input.dims.length !== 4) {
    throw new VidaiError(ErrorCodes.MODEL_SHAPE_MISMATCH, `The model's input '${input.name}' has ${input.dims.length} dims; an image input has 4 ([N, C, H, W]).`);
  }
  const [, , h, w] = input.dims;
  const anchors = typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? anchorPointCount(w, h) : undefined;
  const report: DynamicInputReport = {
    input: { name: input.name, dims: input.dims },
    inputSize: anchors === undefined ? undefined : { width: w as number, height: h as number },
    outputs: {},
  };

  const graphParts = rewrite(graph.data, (f) => {
    if (f.wire !== WIRE_LEN) return undefined;
    if (f.no === GRAPH_INPUT && f.start === image.start) return lenField(GRAPH_INPUT, withSymbolicDims(f.data, new Map([[2, 'height'], [3, 'width']])));
    if (f.no === GRAPH_VALUE_INFO) return null;
    if (f.no !== GRAPH_OUTPUT || anchors === undefined) return undefined;
    const output = shapeOf(f.data);
    const symbolic = new Map<number, string>();
    output.dims.forEach((d, i) => {
      if (i > 0 && (d === anchors || d === 3 * anchors)) symbolic.set(i, 'anchors');
    });
    if (symbolic.size === 0) return undefined;
    report.outputs[output.name] = { dims: output.dims, symbolic: [...symbolic.keys()] };
    return lenField(GRAPH_OUTPUT, withSymbolicDims(f.data, symbolic));
  });
  const modelParts = rewrite(model, (f) => (f.no === MODEL_GRAPH && f.start === graph.start ? lenField(MODEL_GRAPH, graphParts) : undefined));
  return { model: concat(modelParts), report };
}
