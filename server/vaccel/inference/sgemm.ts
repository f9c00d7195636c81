// Single-precision GEMM as BLAS defines it (row-major, no transposes): C = alpha·A·B + beta·C. The product runs on
// onnxruntime's MatMul (MLAS, the kernels the OCR models run on), so the host's agent and a sandbox's own CPU run
// the same code and differ only in the processor under it.
import type * as Ort from "onnxruntime-node";
import protobuf from "protobufjs";
import { loadOnnxRuntime } from "./ocr-models";

export interface SgemmCall {
  m: number;
  n: number;
  k: number;
  alpha: number;
  /** m rows of lda floats, the first k of each used. */
  a: Float32Array;
  lda: number;
  /** k rows of ldb floats, the first n of each used. */
  b: Float32Array;
  ldb: number;
  beta: number;
  /** m rows of ldc floats: read when beta is not 0, its first n of each row overwritten with the result. */
  c: Float32Array;
  ldc: number;
}

/** Why a call's dimensions do not fit its buffers, in BLAS's terms; undefined when they fit. */
export function describeSgemmMismatch(call: SgemmCall): string | undefined {
  const { m, n, k, lda, ldb, ldc } = call;
  if (m < 1 || n < 1 || k < 1) return `m, n and k must be at least 1; got ${m}, ${n}, ${k}`;
  if (lda < k) return `lda (${lda}) must be at least k (${k})`;
  if (ldb < n) return `ldb (${ldb}) must be at least n (${n})`;
  if (ldc < n) return `ldc (${ldc}) must be at least n (${n})`;
  const need = (rows: number, ld: number, cols: number) => (rows - 1) * ld + cols;
  if (call.a.length < need(m, lda, k))
    return `A holds ${call.a.length} floats; m=${m}, k=${k}, lda=${lda} need ${need(m, lda, k)}`;
  if (call.b.length < need(k, ldb, n))
    return `B holds ${call.b.length} floats; k=${k}, n=${n}, ldb=${ldb} need ${need(k, ldb, n)}`;
  if (call.c.length < need(m, ldc, n))
    return `C holds ${call.c.length} floats; m=${m}, n=${n}, ldc=${ldc} need ${need(m, ldc, n)}`;
  return undefined;
}

// The few ONNX messages a one-node model needs (onnx/onnx.proto field numbers).
const onnxRoot = protobuf.Root.fromJSON({
  nested: {
    ModelProto: {
      fields: {
        ir_version: { type: "int64", id: 1 },
        producer_name: { type: "string", id: 2 },
        graph: { type: "GraphProto", id: 7 },
        opset_import: { rule: "repeated", type: "OperatorSetIdProto", id: 8 },
      },
    },
    OperatorSetIdProto: {
      fields: { domain: { type: "string", id: 1 }, version: { type: "int64", id: 2 } },
    },
    GraphProto: {
      fields: {
        node: { rule: "repeated", type: "NodeProto", id: 1 },
        name: { type: "string", id: 2 },
        input: { rule: "repeated", type: "ValueInfoProto", id: 11 },
        output: { rule: "repeated", type: "ValueInfoProto", id: 12 },
      },
    },
    NodeProto: {
      fields: {
        input: { rule: "repeated", type: "string", id: 1 },
        output: { rule: "repeated", type: "string", id: 2 },
        op_type: { type: "string", id: 4 },
      },
    },
    ValueInfoProto: {
      fields: { name: { type: "string", id: 1 }, type: { type: "TypeProto", id: 2 } },
    },
    TypeProto: { fields: { tensor_type: { type: "TensorTypeProto", id: 1 } } },
    TensorTypeProto: {
      fields: { elem_type: { type: "int32", id: 1 }, shape: { type: "TensorShapeProto", id: 2 } },
    },
    TensorShapeProto: { fields: { dim: { rule: "repeated", type: "Dimension", id: 1 } } },
    Dimension: { fields: { dim_param: { type: "string", id: 2 } } },
  },
});

const FLOAT = 1;

/** Y[M,N] = A[M,K] · B[K,N] with symbolic dimensions, so one session serves every size. */
function matMulModel(): Uint8Array {
  const tensor = (name: string, dims: string[]) => ({
    name,
    type: {
      tensor_type: { elem_type: FLOAT, shape: { dim: dims.map((d) => ({ dim_param: d })) } },
    },
  });
  const model = onnxRoot.lookupType("ModelProto");
  return model
    .encode(
      model.fromObject({
        ir_version: 8,
        producer_name: "sandbox-playground",
        opset_import: [{ domain: "", version: 13 }],
        graph: {
          name: "sgemm",
          node: [{ input: ["A", "B"], output: ["Y"], op_type: "MatMul" }],
          input: [tensor("A", ["M", "K"]), tensor("B", ["K", "N"])],
          output: [tensor("Y", ["M", "N"])],
        },
      }),
    )
    .finish();
}

export interface MatrixMultiplierOptions {
  /** onnxruntime's intra-op threads; its default is one per core. */
  threads?: number;
}

/** One MatMul session, opened on first use and kept. */
export class MatrixMultiplier {
  private session?: Promise<Ort.InferenceSession>;
  private openMs?: number;

  constructor(private readonly options: MatrixMultiplierOptions = {}) {}

  /** Opens the session if it is not open yet; resolves with how long the open took. */
  async load(): Promise<number> {
    await this.open();
    return this.openMs as number;
  }

  /** C = alpha·A·B + beta·C in place; returns C. */
  async sgemm(call: SgemmCall): Promise<Float32Array> {
    const { m, n, k, alpha, beta, c, ldc } = call;
    const [ort, session] = await Promise.all([loadOnnxRuntime(), this.open()]);
    const a = packRows(call.a, m, k, call.lda);
    const b = packRows(call.b, k, n, call.ldb);
    const results = await session.run({
      A: new ort.Tensor("float32", a, [m, k]),
      B: new ort.Tensor("float32", b, [k, n]),
    });
    const product = results.Y.data as Float32Array;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        const at = i * ldc + j;
        // BLAS: with beta 0, C's input is not read (it may hold NaN).
        c[at] = alpha * product[i * n + j] + (beta === 0 ? 0 : beta * c[at]);
      }
    }
    return c;
  }

  async release(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (session) await (await session).release();
  }

  private open(): Promise<Ort.InferenceSession> {
    this.session ??= (async () => {
      const ort = await loadOnnxRuntime();
      const started = performance.now();
      const session = await ort.InferenceSession.create(matMulModel(), {
        executionProviders: ["cpu"],
        ...(this.options.threads === undefined ? {} : { intraOpNumThreads: this.options.threads }),
      });
      this.openMs = performance.now() - started;
      return session;
    })();
    this.session.catch(() => (this.session = undefined));
    return this.session;
  }
}

/** rows×cols contiguous, copied out of a matrix whose rows are ld apart (no copy when they already touch). */
function packRows(matrix: Float32Array, rows: number, cols: number, ld: number): Float32Array {
  if (ld === cols) return matrix.subarray(0, rows * cols);
  const packed = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) packed.set(matrix.subarray(r * ld, r * ld + cols), r * cols);
  return packed;
}

/** One element of alpha·A·B + beta·C0 in double precision, from the inputs: a check independent of the kernel. */
export function sgemmElement(call: SgemmCall, c0: Float32Array, i: number, j: number): number {
  let sum = 0;
  for (let p = 0; p < call.k; p++) sum += call.a[i * call.lda + p] * call.b[p * call.ldb + j];
  return call.alpha * sum + (call.beta === 0 ? 0 : call.beta * c0[i * call.ldc + j]);
}
