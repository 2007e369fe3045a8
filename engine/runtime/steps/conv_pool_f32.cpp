#include "engine/runtime/steps/conv_pool_f32.h"

#include <algorithm>
#include <numeric>

#include "engine/runtime/plan.h"
#include "engine/runtime/plan_checker.h"
#include "engine/runtime/step_type_impl.h"
#include "engine/runtime/steps/held_rows.h"
#include "engine/runtime/steps/field_lists.h"

namespace octet {

namespace {
int32_t window_extent(const kernels::PoolNhwcParams& p) { return (p.kernel_h - 1) * p.dilation_h + 1; }

// Conv rows a band of `rows` pool rows reads at most.
int32_t band_rows_read(const kernels::PoolNhwcParams& p, int32_t rows) {
  return std::min(p.in_h, (rows - 1) * p.stride_h + window_extent(p));
}

size_t conv_row_bytes(const kernels::ConvNhwcParams& c) {
  return sizeof(float) * static_cast<size_t>(c.out_w) * static_cast<size_t>(c.out_c);
}
}  // namespace

int32_t conv_pool_band_rows(const ConvPlanarF32Step& conv, const kernels::PoolNhwcParams& pool) {
  int32_t rows = 1;
  while (rows < pool.out_h &&
         static_cast<size_t>(band_rows_read(pool, rows + 1)) * conv_row_bytes(conv.shape) <= kConvPoolBandBytes)
    ++rows;
  // Whole conv bands: a band's new conv rows (rows * stride) a multiple of the conv stage's
  // band, else its last conv band is a short one that interleaves the input rows of a full
  // one for fewer output rows (ResNet's 7x7 stem in bands of 3: 1150 us with 8 pool rows per
  // band, 2 conv bands of 3 and one of 1).
  const int32_t whole = conv.band_rows / std::gcd(conv.band_rows, pool.stride_h);
  rows = std::max(whole, rows / whole * whole);
  return std::min(rows, pool.out_h);
}

int32_t ConvPoolF32Step::conv_row_lo(int32_t begin) const {
  return std::clamp(begin * pool.stride_h - pool.pad_top, 0, pool.in_h);
}

int32_t ConvPoolF32Step::conv_row_hi(int32_t end) const {
  return std::clamp((end - 1) * pool.stride_h - pool.pad_top + window_extent(pool), 0, pool.in_h);
}

// The session would cut ResNet's stem (2.1M MACs per pool row) into one-row calls (about
// Session::kInterruptCheckMacs each), and each call computes the conv rows the windows of its
// first pool row share with the row above again, and its conv bands end in a short one. With
// calls of 6 pool rows the fused stem took 1130 us where the two steps took 1060; with one
// call per thread's rows, 1055-1075 (squeezenet's 268 against 282, ShuffleNetV2's 131 against
// 135). So a thread's rows are one call: the session checks for interrupts before and after
// the step only (about 1 ms on ResNet's stem, 1 thread).
int32_t ConvPoolF32Step::min_chunk_rows() const { return pool.out_h; }

int32_t ConvPoolF32Step::band_conv_rows() const { return band_rows_read(pool, band_rows); }

size_t ConvPoolF32Step::band_bytes() const {
  return align_up(static_cast<size_t>(band_conv_rows()) * conv_row_bytes(conv.shape));
}

size_t ConvPoolF32Step::workspace_bytes() const { return band_bytes() + conv.workspace_bytes(); }

void ConvPoolF32Step::run(const ConvPoolF32Step& p, const StepContext& c, int32_t row_begin, int32_t row_end) {
  auto* band = static_cast<float*>(c.workspace);
  StepContext conv_context = c;   // the conv stage's scratch follows the band
  conv_context.workspace = static_cast<uint8_t*>(c.workspace) + p.band_bytes();
  const size_t conv_row = static_cast<size_t>(p.conv.shape.out_w) * static_cast<size_t>(p.conv.shape.out_c);
  const size_t out_row = static_cast<size_t>(p.pool.out_w) * static_cast<size_t>(p.pool.channels);
  float* output = c.out<float>();
  HeldRows held;   // conv rows in the band buffer
  for (int32_t begin = row_begin; begin < row_end; begin += p.band_rows) {
    const int32_t end = std::min(row_end, begin + p.band_rows);
    const int32_t lo = p.conv_row_lo(begin), hi = std::max(lo, p.conv_row_hi(end));
    const int32_t from = held.keep(band, conv_row, lo, hi);   // the previous band's last rows kept
    if (from < hi) ConvPlanarF32Step::run_rows(p.conv, conv_context, band + (from - lo) * conv_row, from, hi);
    // The band as an image: conv rows [lo, hi), what is left of the top padding above it.
    kernels::PoolNhwcParams q = p.pool;
    q.in_h = hi - lo;
    q.out_h = end - begin;
    q.pad_top = p.pool.pad_top + lo - begin * p.pool.stride_h;
    c.vector->max(q, band, output + begin * out_row, 0, end - begin);
  }
}

std::string ConvPoolF32Step::describe(const Step& s, const ConvPoolF32Step& p) {
  const kernels::PoolNhwcParams& q = p.pool;
  auto n = [](int32_t v) { return std::to_string(v); };
  return "f32_conv_pool  band " + n(p.band_rows) + " rows: [" + ConvPlanarF32Step::describe(s, p.conv) +
         "] -> [max_pool " + n(q.in_h) + "x" + n(q.in_w) + "x" + n(q.channels) + " -> " + n(q.out_h) + "x" +
         n(q.out_w) + "x" + n(q.channels) + "  k" + n(q.kernel_h) + "x" + n(q.kernel_w) + " s" + n(q.stride_h) + "x" +
         n(q.stride_w) + (q.dilation_h != 1 || q.dilation_w != 1 ? " d" + n(q.dilation_h) + "x" + n(q.dilation_w) : "") +
         " pads " + n(q.pad_top) + "," + n(q.pad_left) + "," + n(q.pad_bottom) + "," + n(q.pad_right) + "]";
}

std::string ConvPoolF32Step::summary(const ConvPoolF32Step& p) {
  const kernels::ConvNhwcParams& c = p.conv.shape;
  auto n = [](int32_t v) { return std::to_string(v); };
  return "conv " + n(c.kernel_h) + "x" + n(c.kernel_w) + " s" + n(c.stride_h) + " " + n(c.in_c) + "→" + n(c.out_c) +
         " + max pool " + n(p.pool.kernel_h) + "x" + n(p.pool.kernel_w) + " s" + n(p.pool.stride_h) + ", " +
         n(p.pool.out_h) + "x" + n(p.pool.out_w);
}

template <typename IO, typename S>
void ConvPoolF32Step::fields(IO& io, S& p) {
  ConvPlanarF32Step::fields(io, p.conv);
  pool_fields(io, p.pool);
  io(p.band_rows);
}

void ConvPoolF32Step::validate(PlanChecker& c, const Step& s, const ConvPoolF32Step& p) {
  c.require(s.input2 < 0, "a conv pool step has no residual");
  c.conv_shape(p.conv.shape);
  ConvPlanarF32Step::validate_bands(c, p.conv);
  c.pool_shape(p.pool);
  const kernels::ConvNhwcParams& conv = p.conv.shape;
  c.require(p.pool.in_h == conv.out_h && p.pool.in_w == conv.out_w && p.pool.channels == conv.out_c,
            "the pool's input is not the conv's output");
  c.require(p.band_rows >= 1 && p.band_rows <= p.pool.out_h, "band rows outside [1, pool output rows]");
  c.buffer(s.input, int64_t{conv.in_h} * conv.in_w * conv.in_c, false, "input");
  c.buffer(s.output, int64_t{p.pool.out_h} * p.pool.out_w * p.pool.channels, false, "output");
  c.workspace(p.workspace_bytes());
}

const StepType ConvPoolF32Step::kType = make_step_type<ConvPoolF32Step>(73, "f32_conv_pool", false);

}  // namespace octet
