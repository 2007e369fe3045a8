// The Graph → Plan compiler behind compile_plan() (engine/compile.h), shared by its parts:
// compile.cpp (buffers, slots, layouts and views, the dispatch), compile_float.cpp (the FP32
// operators), compile_int8.cpp (the operators of a quantized graph, and the float <-> uint8
// boundaries) and compile_window.cpp (the conv and pool window geometry both kinds share).
// Internal to engine/.
#pragma once
#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "engine/compile.h"
#include "engine/memory_plan.h"
#include "engine/runtime/plan.h"
#include "engine/runtime/steps/all.h"
#include "graph/ir.h"

namespace octet::detail {

// Plain: row-major in the logical dims. Nhwc: a [C,H,W] value stored channels-last.
// NhwcSplit: a [c1,...,ck,H,W] value (k >= 2) stored channels-last with c1*...*ck channels,
// the channel axis split in several (channel shuffle's Reshape; compile_copy.cpp).
enum class Layout { Plain, Nhwc, NhwcSplit };

// What the compiler knows of a graph value while it lays out the plan.
struct Slot {
  int buffer = -1;
  Layout layout = Layout::Plain;
  std::vector<int64_t> dims;   // logical (ONNX) dims per image, batch dim dropped
  // uint8 storage (an int8 region): real = scale * (q - zero_point), zero point in the
  // uint8 domain of docs/quantization.md.
  bool uint8 = false;
  float scale = 1.f;
  int32_t zero_point = 0;
};

// A copy step's geometry with the layout and logical dims of what it writes (compile_copy.cpp).
struct CopyPlan {
  StridedCopyGeometry copy;
  Layout layout = Layout::Plain;
  std::vector<int64_t> out_dims;
};

// A Slice's box per image: first element, element count and step per logical dim.
struct SliceBox {
  std::vector<int64_t> first, count, step;
};

// An operand of a broadcast element-wise step (compile_binary.cpp): an activation's storage,
// or a constant's values (row-major over `dims`), with its logical dims per image right-aligned
// to the output's rank.
struct BinaryOperand {
  bool constant = false;
  Slot slot;                   // an activation's
  std::vector<int64_t> dims;   // logical, per image, the output's rank
  std::vector<float> values;   // a constant's
};

// Parameters of a quantized activation (not a bias's int32 ones).
inline bool is_activation_params(const std::optional<QuantParams>& q) {
  return q && (q->dtype == DType::Uint8 || q->dtype == DType::Int8);
}

// Elements of a per-image shape. Every buffer is sized from this, so a shape past octet's
// tensor limit (a hand-built or absurd declared shape) is refused here, before it can
// overflow or reach the allocator.
inline int64_t product(const std::vector<int64_t>& d) { return checked_numel(d); }

// The channels, height and width of `in` (a [C,H,W] value), for the layout changes and the
// global averages.
inline ImageDims image_dims(const Slot& in) {
  return ImageDims{static_cast<int32_t>(in.dims[0]), static_cast<int32_t>(in.dims[1]), static_cast<int32_t>(in.dims[2])};
}

// [c1*...*ck, H, W] of a split-channel [c1,...,ck,H,W].
inline std::vector<int64_t> merged_channels(const std::vector<int64_t>& d) {
  int64_t c = 1;
  for (size_t i = 0; i + 2 < d.size(); ++i) c *= d[i];
  return {c, d[d.size() - 2], d[d.size() - 1]};
}

class Compiler {
 public:
  Compiler(const Graph& g, const CompileOptions& o);
  Plan run();

 private:
  void choose_f32_kernels();
  [[noreturn]] void fail(const Node& n, const std::string& msg) const;
  std::vector<int64_t> per_image_dims(const Value& v, const char* what) const;
  static std::vector<int64_t> with_batch(const Value& v, const std::vector<int64_t>& per_image);
  int new_buffer(const std::string& name, int64_t floats, int first_step);
  int new_u8_buffer(const std::string& name, int64_t bytes, int first_step);
  // A buffer of `elements` of `element_bytes` each (the two above).
  int add_buffer(const std::string& name, int64_t elements, size_t element_bytes, int first_step);
  void read(int buffer);
  // Records what a new slot's buffer holds (Buffer::nhwc, scale, ...) and returns the slot.
  Slot noted(Slot s);
  int add_step(Step s);
  // The value's storage as it is (float or uint8).
  const Slot& slot(const Node& n, int value_id) const;
  // The value as float storage, dequantizing a uint8 one once, and reading a float one that a
  // QDQ pair annotates through that pair (quantized, then dequantized) once.
  Slot as_float(const Node& n, int value_id);
  // Whether the value is float storage that a QDQ pair annotates: its float readers must go
  // through as_float.
  bool read_through_qdq(int value_id) const;
  // What a view (Transpose, Reshape, Identity) of the value shares: its storage, or for a
  // float value that a QDQ pair annotates, that pair's codes (as_uint8) or, where the view's
  // output carries other parameters, the values the pair gives (as_float).
  Slot read_value(const Node& n, int value_id);
  // A Quantize (float `in` -> uint8 `out`) or Dequantize step, with the parameters of the
  // uint8 side `q`.
  void add_boundary_step(bool quantize, const Node& n, const Slot& in, const Slot& out, const Slot& q);
  // The value as float NHWC storage of a 4-D logical NCHW tensor, converting a plain one once.
  Slot nhwc(const Node& n, int value_id);
  // `s` (value_id's float storage) in NHWC order, converted once per cache `copies`.
  Slot to_nhwc(const Node& n, int value_id, const Slot& s, std::map<int, Slot>& copies);
  // The value as float storage in plain row-major order of its logical dims.
  Slot plain(int value_id, const std::string& why);
  const Tensor& constant(const Node& n, size_t input, const char* what) const;
  // compile_float_constant.cpp: the constant as a float step packs it: quantized and
  // dequantized when a QDQ pair annotates it (a float operator's weight in a QDQ file).
  const Tensor& float_constant(const Node& n, size_t input, const char* what);
  void set_output(const Node& n, Slot s) { slots_[static_cast<size_t>(n.outputs.at(0))] = std::move(s); }
  Slot output_slot(const Node& n, Layout layout, std::vector<int64_t> dims);
  // Adds st writing a new buffer for n's output (layout, dims), which becomes n's value.
  void add_output_step(const Node& n, Step st, Layout layout, std::vector<int64_t> dims);
  // Room for `bytes` of packed weights, kPlanAlignment-aligned; returns its byte offset.
  size_t append_weights(size_t bytes);
  template <typename T>
  T* weights_at(size_t offset) { return reinterpret_cast<T*>(weights_.data() + offset); }

  // compile_window.cpp: the geometry of a conv over `in` with weight `w` (checked against
  // the input; in_c and out_c over all groups), and of a pool over `in`, from n's window
  // attributes. Without `groups`, a grouped conv is refused; with it, it receives the count.
  kernels::ConvNhwcParams conv_shape(const Node& n, const Slot& in, const Tensor& w, int32_t* groups = nullptr) const;
  kernels::PoolNhwcParams pool_shape(const Node& n, const Slot& in) const;

  // compile.cpp, compile_float.cpp
  void compile_node(const Node& n);
  void compile_conv(const Node& n);
  // Conv over a planar (NCHW) input without a residual (p: its geometry and epilogue), one
  // f32_conv_planar step (compile_float.cpp).
  void compile_planar_conv(const Node& n, const kernels::ConvNhwcParams& p, int input, const Tensor& w,
                           const Tensor* bias);
  // Conv with group > 1 (p: the whole conv's geometry and epilogue), compile_grouped_conv.cpp.
  void compile_grouped_conv(const Node& n, const kernels::ConvNhwcParams& p, int32_t groups, int input, int residual,
                            const Tensor& w, const Tensor* bias);
  void compile_pool(const Node& n);
  // The average or (max) maximum over H and W; keepdims: the output is [C,1,1]
  // (GlobalAveragePool, GlobalMaxPool), else [C] (ReduceMean/ReduceMax keepdims=0).
  void compile_global_pool(const Node& n, bool keepdims, bool max);
  void compile_gemm(const Node& n);
  void compile_softmax(const Node& n);
  // A standalone element-wise activation (Relu, Clip, LeakyRelu, Sigmoid, Tanh, HardSigmoid,
  // HardSwish) on the vector kernel.
  void compile_activation(const Node& n);
  // Any other float node, on the reference executor inside the plan (compile_reference_node.cpp).
  void compile_reference_node(const Node& n);
  void compile_add(const Node& n);
  // compile_binary.cpp: Add (other than same-shape activations), Sub, Mul, Div with
  // broadcasting; a standalone BatchNormalization as a per-channel affine.
  void compile_binary(const Node& n);
  void compile_batchnorm(const Node& n);
  BinaryOperand binary_operand(const Node& n, size_t input, size_t rank);
  // out = a op b (or a * b + addend, addend indexed like the constant b) as one BinaryF32Step.
  void add_binary_step(const Node& n, kernels::BinaryF32Op op, BinaryOperand a, BinaryOperand b,
                       const std::vector<float>* addend);
  // `values` appended to the packed weights; returns their byte offset.
  size_t append_floats(const std::vector<float>& values);
  void compile_concat(const Node& n);   // compile_concat.cpp
  // compile_copy.cpp: views where the storage allows, strided copies otherwise.
  void compile_transpose(const Node& n);
  void compile_reshape(const Node& n);   // Reshape, Flatten, Squeeze, Unsqueeze
  void compile_slice(const Node& n);
  // The copy of ShuffleNet's channel shuffle (perm 0,2,1,3,4 of a split-channel NHWC value),
  // else nothing; for float and uint8 storage alike (compile_qcopy.cpp).
  std::optional<CopyPlan> channel_shuffle_copy(const Node& n, const Slot& in) const;
  // A Slice's constant parameters over `in_dims` (per image), or nothing when they are
  // computed at run time, a step is negative or the opset has them as attributes.
  std::optional<SliceBox> slice_box(const Node& n, const std::vector<int64_t>& in_dims) const;
  // The box as a copy of NHWC storage (a channel split when only channels are cut), else nothing.
  std::optional<CopyPlan> nhwc_slice_copy(const SliceBox& box, const Slot& in) const;
  // p (dims and strides set) copying `in` into a new output of n (layout, dims); a copy of
  // more dims than the step takes goes to the reference fallback.
  void add_copy_step(const Node& n, StridedCopyF32Step p, const Slot& in, Layout layout, std::vector<int64_t> out_dims);
  // ReduceMean / ReduceMax: over H and W of a 4-D value a global pool step, else the
  // reference fallback (compile_float.cpp).
  void compile_reduce(const Node& n);

  // compile_int8.cpp
  void choose_int8_kernels();
  // Whether the node runs on the int8 kernels: its activations and weights are annotated.
  bool runs_int8(const Node& n) const;
  void compile_int8_node(const Node& n);
  // The value as uint8 storage with its own quantization parameters, quantizing a float one
  // once; `nhwc` asks for the NHWC layout of a 4-D tensor.
  Slot as_uint8(const Node& n, int value_id, bool nhwc);
  Slot u8_output_slot(const Node& n, Layout layout, std::vector<int64_t> dims);
  const kernels::QConvU8Kernel* pick_qconv(const kernels::QConvParams& p) const;
  // With `channel_scales` (per-channel weights) a QConvChannelStep, else a QConvStep.
  void add_qconv_step(const Node& n, kernels::QConvParams p, const std::vector<int8_t>& weight_oihw,
                      const std::vector<int32_t>& bias, int input, int residual, int output,
                      const std::vector<float>& channel_scales = {});
  void compile_qconv(const Node& n);
  // compile_qdwconv.cpp: a depthwise Conv (group == channels) on the qu8_dwconv kernels.
  void compile_qdwconv(const Node& n);
  // compile_qgemm.cpp: a quantized Gemm, with a uint8 output on the int8 conv kernels (a 1x1
  // conv), or with a float output (qgemm_float_output) on the qu8_gemm kernels.
  void compile_qgemm(const Node& n);
  bool qgemm_float_output(const Node& n) const;
  void compile_qglobal_average(const Node& n);
  void add_qglobal_average_step(const Node& n, const Slot& in);
  void compile_qaverage_pool(const Node& n);
  void compile_qadd(const Node& n);
  // An int8 Add step a + b -> out, with the clamp of n's fused activation (if any).
  void add_qadd_step(const Node& n, const Slot& a, const Slot& b, const Slot& out);
  void compile_qrelu(const Node& n);
  // compile_qlookup.cpp: Sigmoid, HardSigmoid, HardSwish, Tanh, LeakyRelu as a 256-entry table;
  // a self-gated Mul(x, f(x)) (SiLU) with only x quantized as one table x -> x * f(x), its f
  // compiling to nothing.
  void compile_qlookup(const Node& n);
  void compile_qgated_mul(const Node& mul);
  bool gated_mul_runs_as_table(const Node& mul) const;
  bool fused_into_gated_table(const Node& gate) const;
  // A QLookupStep from `in` to n's output: table[c] = the code of y[c] in the output's parameters.
  void add_lookup_step(const Node& n, const Slot& in, const std::array<float, 256>& y, std::string function);
  // compile_qmul.cpp: same-shape or squeeze-excitation Mul on the int8 vector kernels.
  void compile_qmul(const Node& n);
  // compile_qmax_pool.cpp, compile_qconcat.cpp: MaxPool and channel Concat on uint8 codes
  // (runs_int8: when every operand and the output are annotated).
  void compile_qmax_pool(const Node& n);
  void compile_qconcat(const Node& n);
  // The requantisation table from in's parameters to out's appended to the weights (offset
  // set, true), or nothing when it is the identity (false).
  bool append_requant_table(const Slot& in, const Slot& out, size_t* offset);
  // compile_qcopy.cpp: the channel shuffle and Slice on uint8 codes (QStridedCopyStep), when
  // int8_copy_runs: the input is uint8 storage in a layout the copy takes.
  bool int8_copy_runs(const Node& n) const;
  void compile_qcopy(const Node& n);
  bool slot_is_uint8(int value_id) const { return slots_[static_cast<size_t>(value_id)].uint8; }

  const Graph& g_;
  const CompileOptions& opts_;
  kernels::KernelIsa isa_ = kernels::KernelIsa::Sse2;   // of every FP32 kernel of the plan
  // Whether the graph's constants are too large to stay in the caches between runs, so that
  // each conv reads its weights from memory: then conv kernels are timed that way.
  bool weights_from_memory_ = false;
  const kernels::GemmF32Kernel* gemm_ = nullptr;
  const kernels::VectorF32Kernels* vec_ = nullptr;
  const kernels::VectorQU8Kernels* qvec_ = nullptr;
  Plan plan_;
  std::vector<Slot> slots_;
  std::vector<BufferLifetime> lifetimes_;
  std::map<int, Slot> nhwc_copies_;
  std::map<int, Slot> raw_nhwc_copies_;   // of float values before their QDQ pair
  std::map<int, Slot> float_copies_;
  std::map<int, Tensor> float_constants_;   // float_constant's fake-quantized copies, by value id
  std::map<std::pair<int, bool>, Slot> uint8_copies_;
  std::vector<uint8_t> weights_;   // packed weights (operator new's 16-byte alignment, as float needs)
};

}  // namespace octet::detail
