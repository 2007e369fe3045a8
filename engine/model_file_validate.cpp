// The safety checks of a loaded plan: after validate_plan, a Session can run the plan without
// any kernel reading or writing outside the arena, the scratch or the weights, and without
// integer overflow in the int8 arithmetic, whatever the numbers in the file were. A plan from
// compile_plan() always passes (tests/test_model_file.cpp checks that for every scheme).
#include <cmath>

#include "engine/model_file.h"
#include "graph/error.h"
#include "graph/tensor.h"

namespace octet {

namespace {

constexpr int64_t kMax = kMaxTensorElements;   // 2^31
constexpr int64_t kMaxDim = int64_t{1} << 24;

// A name from the file as it may appear in a message: printable ASCII, at most 80 characters.
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s.substr(0, 80)) out += (c >= 32 && c < 127) ? c : '?';
  return s.size() > 80 ? out + "..." : out;
}

class Checker {
 public:
  explicit Checker(const Plan& plan) : plan_(plan) {}

  void run() {
    if (plan_.arena_floats_per_image > static_cast<size_t>(kMax) || plan_.workspace_floats > static_cast<size_t>(kMax))
      fail("plan", "arena or scratch size exceeds 2^31 floats");
    if (plan_.vector == nullptr) fail("plan", "no vector kernels");
    for (size_t i = 0; i < plan_.buffers.size(); ++i) {
      const Buffer& b = plan_.buffers[i];
      const std::string where = "buffer " + std::to_string(i) + " '" + printable(b.value_name) + "'";
      if (b.floats_per_image < 1 || b.floats_per_image > kMax) fail(where, "size out of range");
      if (b.offset > plan_.arena_floats_per_image ||
          static_cast<size_t>(b.floats_per_image) > plan_.arena_floats_per_image - b.offset)
        fail(where, "lies outside the arena");
    }
    for (const Port& p : plan_.inputs) port(p, "input");
    for (const Port& p : plan_.outputs) port(p, "output");
    for (size_t i = 0; i < plan_.steps.size(); ++i) {
      where_ = "step " + std::to_string(i) + " '" + printable(plan_.steps[i].name) + "'";
      step(plan_.steps[i]);
    }
  }

 private:
  [[noreturn]] static void fail(const std::string& where, const std::string& what) {
    throw Error("invalid .octet file: " + where + ": " + what);
  }
  [[noreturn]] void fail(const std::string& what) const { fail(where_, what); }

  void require(bool ok, const char* what) const {
    if (!ok) fail(what);
  }
  // Product of positive factors, refused past 2^31.
  int64_t mul(std::initializer_list<int64_t> factors, const char* what) const {
    int64_t n = 1;
    for (int64_t f : factors) {
      if (f < 1 || f > kMax || n > kMax / f) fail(std::string(what) + " out of range");
      n *= f;
    }
    return n;
  }

  void port(const Port& p, const char* what) {
    const std::string where = std::string(what) + " '" + printable(p.name) + "'";
    if (p.dims.empty() || (p.dims[0] != -1 && p.dims[0] < 1)) fail(where, "bad batch dimension");
    int64_t n = 1;
    for (size_t i = 1; i < p.dims.size(); ++i) {
      if (p.dims[i] < 1 || p.dims[i] > kMax || n > kMax / p.dims[i]) fail(where, "dimension out of range");
      n *= p.dims[i];
    }
    if (p.buffer < 0 || static_cast<size_t>(p.buffer) >= plan_.buffers.size()) fail(where, "bad buffer id");
    const Buffer& b = plan_.buffers[static_cast<size_t>(p.buffer)];
    if (b.uint8 || b.floats_per_image < n) fail(where, "its buffer cannot hold it");
  }

  // The buffer `id` holds at least `n` elements of the step's type (float or uint8).
  void buffer(int id, int64_t n, bool uint8, const char* what) const {
    if (id < 0 || static_cast<size_t>(id) >= plan_.buffers.size()) fail(std::string(what) + ": bad buffer id");
    const Buffer& b = plan_.buffers[static_cast<size_t>(id)];
    if (b.uint8 != uint8) fail(std::string(what) + ": buffer has the wrong element type");
    const int64_t have = uint8 ? b.floats_per_image * 4 : b.floats_per_image;
    if (have < n) fail(std::string(what) + ": buffer holds " + std::to_string(have) + " elements, the step uses " + std::to_string(n));
  }

  // Sliding windows along one axis: every window overlaps the input (so no kernel sees a
  // window made only of padding), and the last one starts inside it.
  void window(int64_t in, int64_t out, int64_t k, int64_t stride, int64_t dilation, int64_t pad_before,
              int64_t pad_after, const char* axis) const {
    const std::string a = axis;
    if (in < 1 || in > kMaxDim || out < 1 || out > kMaxDim || k < 1 || k > kMaxDim || stride < 1 ||
        stride > kMaxDim || dilation < 1 || dilation > kMaxDim)
      fail(a + ": window sizes out of range");
    const int64_t extent = dilation * (k - 1) + 1;
    if (pad_before < 0 || pad_before >= extent || pad_after < 0 || pad_after >= extent)
      fail(a + ": padding out of range");
    if ((out - 1) * stride - pad_before > in - 1) fail(a + ": more output positions than the input has");
  }

  void conv_shape(const kernels::ConvNhwcParams& p) const {
    window(p.in_h, p.out_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, 0, "conv rows");
    window(p.in_w, p.out_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, 0, "conv columns");
    mul({p.in_h, p.in_w, p.in_c}, "conv input size");
    mul({p.out_h, p.out_w, p.out_c}, "conv output size");
    mul({p.out_c, p.in_c, p.kernel_h, p.kernel_w}, "conv weight size");
    require(static_cast<uint8_t>(p.activation) <= static_cast<uint8_t>(kernels::Activation::Clip), "bad activation");
  }

  void pool_shape(const kernels::PoolNhwcParams& p) const {
    window(p.in_h, p.out_h, p.kernel_h, p.stride_h, p.dilation_h, p.pad_top, p.pad_bottom, "pool rows");
    window(p.in_w, p.out_w, p.kernel_w, p.stride_w, p.dilation_w, p.pad_left, p.pad_right, "pool columns");
    mul({p.in_h, p.in_w, p.channels}, "pool input size");
    mul({p.out_h, p.out_w, p.channels}, "pool output size");
    mul({p.kernel_h, p.kernel_w, 256}, "pool window");   // 255 * taps stays far from int32 overflow
  }

  void weights(size_t offset, size_t count) const {
    const size_t have = plan_.weights.size();
    if (offset % 16 != 0 || offset > have || count > have - offset) fail("packed weights lie outside the weights section");
  }

  static bool zp(int32_t z) { return z >= 0 && z <= 255; }
  static bool clamp_ok(int32_t lo, int32_t hi) { return zp(lo) && zp(hi) && lo <= hi; }
  static bool requant_ok(const kernels::Requant& r) { return r.multiplier >= 0 && r.shift >= 1 && r.shift <= 62; }

  void step(const Step& s) {
    require(static_cast<uint8_t>(s.kind) <= static_cast<uint8_t>(StepKind::Dequantize), "unknown step kind");
    require((s.conv != nullptr) == (s.kind == StepKind::Conv) && (s.gemm != nullptr) == (s.kind == StepKind::Gemm) &&
                (s.qconv != nullptr) == (s.kind == StepKind::QConv),
            "kernel does not match the step kind");
    require(static_cast<uint8_t>(s.activation) <= static_cast<uint8_t>(kernels::Activation::Clip), "bad activation");
    if (s.kind >= StepKind::QConv && plan_.qvector == nullptr) fail("int8 step in a plan without int8 kernels");
    // The session computes a pointer for every buffer id a step names, used or not: every id
    // is -1 or a buffer of the plan, whatever the step kind (the cases below check sizes).
    const int64_t buffers = static_cast<int64_t>(plan_.buffers.size());
    for (int id : {s.input, s.input2, s.output})
      require(id >= -1 && id < buffers, "buffer id out of range");
    const bool f = false, u8 = true;
    switch (s.kind) {
      case StepKind::Conv: {
        const kernels::ConvNhwcParams& p = s.conv_params;
        conv_shape(p);
        require(s.conv->supports(p), "the kernel does not support these parameters");
        buffer(s.input, int64_t{p.in_h} * p.in_w * p.in_c, f, "input");
        buffer(s.output, int64_t{p.out_h} * p.out_w * p.out_c, f, "output");
        if (s.input2 >= 0) buffer(s.input2, int64_t{p.out_h} * p.out_w * p.out_c, f, "residual");
        weights(s.weights_offset, s.conv->packed_floats(p));
        require(s.conv->workspace_floats(p) <= plan_.workspace_floats, "scratch too small for the kernel");
        return;
      }
      case StepKind::AveragePool:
      case StepKind::MaxPool:
        pool_shape(s.pool);
        buffer(s.input, int64_t{s.pool.in_h} * s.pool.in_w * s.pool.channels, f, "input");
        buffer(s.output, int64_t{s.pool.out_h} * s.pool.out_w * s.pool.channels, f, "output");
        return;
      case StepKind::GlobalAverage:
        buffer(s.input, mul({s.height, s.width, s.channels}, "global average size"), f, "input");
        buffer(s.output, s.channels, f, "output");
        return;
      case StepKind::Gemm:
        mul({s.rows, s.n, s.k}, "gemm size");
        buffer(s.input, int64_t{s.rows} * s.k, f, "input");
        buffer(s.output, int64_t{s.rows} * s.n, f, "output");
        weights(s.weights_offset, s.gemm->packed_floats(s.k, s.n));
        return;
      case StepKind::Softmax:
        buffer(s.input, mul({s.rows, s.n}, "softmax size"), f, "input");
        buffer(s.output, int64_t{s.rows} * s.n, f, "output");
        return;
      case StepKind::Add:
        buffer(s.input, mul({s.elements}, "add size"), f, "input");
        buffer(s.input2, s.elements, f, "second input");
        buffer(s.output, s.elements, f, "output");
        return;
      case StepKind::NchwToNhwc:
      case StepKind::NhwcToNchw:
        buffer(s.input, mul({s.channels, s.height, s.width}, "layout change size"), f, "input");
        buffer(s.output, int64_t{s.channels} * s.height * s.width, f, "output");
        return;
      case StepKind::QConv: {
        const kernels::QConvParams& q = s.qconv_params;
        const kernels::ConvNhwcParams& p = q.shape;
        conv_shape(p);
        require(zp(q.input_zero_point) && zp(q.output_zero_point) && zp(q.residual_zero_point) &&
                    q.weight_zero_point >= -128 && q.weight_zero_point <= 127 && clamp_ok(q.output_min, q.output_max) &&
                    requant_ok(q.requant) && q.residual_multiplier >= 0 && zp(q.conv_zero_point) &&
                    q.conv_multiplier >= 0 && q.add_shift >= 1 && q.add_shift <= 62,
                "int8 conv quantization parameters out of range");
        require(!q.round_before_residual || s.input2 >= 0, "rounding before a residual needs a residual");
        require(s.qconv->supports(q), "the kernel does not support these parameters");
        buffer(s.input, int64_t{p.in_h} * p.in_w * p.in_c, u8, "input");
        buffer(s.output, int64_t{p.out_h} * p.out_w * p.out_c, u8, "output");
        if (s.input2 >= 0) buffer(s.input2, int64_t{p.out_h} * p.out_w * p.out_c, u8, "residual");
        weights(s.weights_offset, (s.qconv->packed_bytes(q) + 3) / 4);
        require(s.qconv->workspace_bytes(q) <= std::max<size_t>(1, plan_.workspace_floats) * sizeof(float),
                "scratch too small for the kernel");
        return;
      }
      case StepKind::QGlobalAverage:
        mul({s.height, s.width, 2048}, "int8 global average window");   // hw <= 2^20
        buffer(s.input, mul({s.height, s.width, s.channels}, "global average size"), u8, "input");
        buffer(s.output, s.channels, u8, "output");
        require(zp(s.in_zero_point) && zp(s.out_zero_point) && clamp_ok(s.out_min, s.out_max) && requant_ok(s.requant),
                "quantization parameters out of range");
        return;
      case StepKind::QAveragePool: {
        const kernels::QPoolParams& q = s.qpool;
        pool_shape(q.shape);
        require(zp(q.input_zero_point) && zp(q.output_zero_point) && clamp_ok(q.output_min, q.output_max) &&
                    q.shift >= 1 && q.shift <= 62,
                "quantization parameters out of range");
        require(s.pool_multipliers.size() > static_cast<size_t>(q.shape.kernel_h) * static_cast<size_t>(q.shape.kernel_w),
                "too few pooling multipliers");
        for (int32_t m : s.pool_multipliers) require(m >= 0, "negative pooling multiplier");
        buffer(s.input, int64_t{q.shape.in_h} * q.shape.in_w * q.shape.channels, u8, "input");
        buffer(s.output, int64_t{q.shape.out_h} * q.shape.out_w * q.shape.channels, u8, "output");
        return;
      }
      case StepKind::QAdd: {
        const kernels::QAddParams& a = s.qadd;
        require(zp(a.a_zero_point) && zp(a.b_zero_point) && zp(a.output_zero_point) &&
                    clamp_ok(a.output_min, a.output_max) && a.a_multiplier >= 0 && a.b_multiplier >= 0 &&
                    a.shift >= 1 && a.shift <= 62,
                "quantization parameters out of range");
        buffer(s.input, mul({s.elements}, "add size"), u8, "input");
        buffer(s.input2, s.elements, u8, "second input");
        buffer(s.output, s.elements, u8, "output");
        return;
      }
      case StepKind::Quantize:
      case StepKind::Dequantize: {
        const bool q = s.kind == StepKind::Quantize;
        require(zp(s.zero_point) && std::isfinite(s.scale) && std::isnormal(s.scale) && s.scale > 0,
                "quantization parameters out of range");
        buffer(s.input, mul({s.elements}, "element count"), !q, "input");
        buffer(s.output, s.elements, q, "output");
        return;
      }
    }
  }

  const Plan& plan_;
  std::string where_;
};

}  // namespace

void validate_plan(const Plan& plan) { Checker(plan).run(); }

}  // namespace octet
