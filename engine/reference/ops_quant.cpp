// ONNX's linear quantization operators: QuantizeLinear, DequantizeLinear, QLinearConv and
// QLinearMatMul, on uint8/int8 data (int32 too for DequantizeLinear, the form of a bias).
//
// Arithmetic, as ONNX's reference implementation does it (docs/quantization.md "Notation"):
//   QuantizeLinear    q = saturate(round_half_even(x / scale) + zero_point), x / scale in float32
//   DequantizeLinear  y = float(q - zero_point) * scale
//   QLinearConv/MatMul acc = Σ (x - zx) * (w - zw) [+ B]     exact integers
//                      y = saturate(round_half_even(acc * (sx * sw / sy) + zy)),
//                      the multiplier in float32 (as numpy multiplies float32 scalars), the
//                      product with acc in float64 (numpy promotes int32 * float32 to float64).
// Scales and zero points are per tensor, or per axis where ONNX allows it (the `axis`
// attribute of Q/DQ from opset 13; per output channel for QLinearConv's w; per column for
// QLinearMatMul's b). Block quantization (opset 21's block_size) and float8/int4/16-bit types
// are refused with the node named.
#include <cmath>
#include <string>
#include <vector>

#include "engine/reference/broadcast.h"
#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "graph/op_attrs.h"
#include "kernels/reference/window.h"

namespace octet::ref {
namespace {

bool is_q8(DType t) { return t == DType::Uint8 || t == DType::Int8; }
int64_t qmin(DType t) { return t == DType::Uint8 ? 0 : -128; }
int64_t qmax(DType t) { return t == DType::Uint8 ? 255 : 127; }

// Rounds half to even (the default rounding mode) and saturates to t's range.
int64_t saturate_round(double r, DType t) {
  if (std::isnan(r)) return 0;
  return static_cast<int64_t>(std::nearbyint(std::fmin(std::fmax(r, double(qmin(t))), double(qmax(t)))));
}

void store_q8(Tensor& y, int64_t i, int64_t q) {
  if (y.dtype == DType::Uint8) y.data<uint8_t>()[i] = static_cast<uint8_t>(q);
  else y.data<int8_t>()[i] = static_cast<int8_t>(q);
}

// Scale and zero point for each slice along one axis of a tensor (one entry per tensor).
struct Params {
  std::vector<float> scale;
  std::vector<int64_t> zero;
  int64_t inner = 1;   // elements per index step along the axis (product of later dims)
  int64_t at(int64_t i) const {
    return scale.size() == 1 ? 0 : (i / inner) % static_cast<int64_t>(scale.size());
  }
};

// Reads a scale (float32) and optional zero point (must be of `want_zp` type, when given)
// for data of dims `dims` along `axis`: one value means per tensor, else a 1-D tensor of
// dims[axis] values.
Params read_params(const Graph& g, const Node& n, const std::vector<int64_t>& dims, int64_t axis,
                   const Tensor& scale, const Tensor* zp, DType want_zp, const char* scale_name, const char* zp_name) {
  if (scale.dtype != DType::Float32)
    arg::fail(g, n, std::string(scale_name) + " has element type " + dtype_name(scale.dtype) +
                        "; octet supports float32 scales only");
  Params p;
  const std::vector<float> s(scale.values<float>().begin(), scale.values<float>().end());
  p.scale = s;
  if (s.size() != 1) {
    if (scale.rank() != 1)
      arg::fail(g, n, std::string(scale_name) + " must be a scalar or 1-D, got shape " + dims_to_string(scale.dims));
    const int64_t a = arg::axis(g, n, axis, static_cast<int64_t>(dims.size()));
    if (dims[static_cast<size_t>(a)] != static_cast<int64_t>(s.size()))
      arg::fail(g, n, std::string(scale_name) + " " + dims_to_string(scale.dims) + " must have one value per index of axis " +
                          std::to_string(a) + " of the data " + dims_to_string(dims));
    for (size_t d = static_cast<size_t>(a) + 1; d < dims.size(); ++d) p.inner *= dims[d];
  }
  if (zp == nullptr) {
    p.zero.assign(s.size(), 0);
    return p;
  }
  if (zp->dtype != want_zp)
    arg::fail(g, n, std::string(zp_name) + " has element type " + dtype_name(zp->dtype) + ", expected " +
                        dtype_name(want_zp));
  if (zp->numel() != static_cast<int64_t>(s.size()))
    arg::fail(g, n, std::string(zp_name) + " " + dims_to_string(zp->dims) + " must have as many values as " + scale_name +
                        " " + dims_to_string(scale.dims));
  p.zero = zp->as_int64();
  return p;
}

void refuse_blocks(const Graph& g, const Node& n) {
  if (n.attr_int("block_size", 0) != 0)
    arg::fail(g, n, "block quantization (block_size " + std::to_string(n.attr_int("block_size", 0)) +
                        ") is not supported (per-tensor and per-axis only)");
}

// Widens integer data to int64 minus its zero point: q - zp for each element.
std::vector<int64_t> centred(const Tensor& t, const Params& p) {
  std::vector<int64_t> v = t.as_int64();
  for (size_t i = 0; i < v.size(); ++i) v[i] -= p.zero[static_cast<size_t>(p.at(static_cast<int64_t>(i)))];
  return v;
}

// The zero-point / output type of a QLinear op: y_zero_point's, which must be 8-bit.
DType q8_input_type(const Graph& g, const Node& n, const Tensor& t, const char* name) {
  if (!is_q8(t.dtype))
    arg::fail(g, n, std::string("input ") + name + " has element type " + dtype_name(t.dtype) +
                        "; octet's quantized operators take uint8 or int8");
  return t.dtype;
}

float single_scale(const Graph& g, const Node& n, const Tensor& t, const char* name) {
  if (t.dtype != DType::Float32 || t.numel() != 1)
    arg::fail(g, n, std::string(name) + " must be one float32 value (per tensor), got " + dtype_name(t.dtype) + " " +
                        dims_to_string(t.dims));
  return t.values<float>()[0];
}

// y = saturate(round(acc * (sx * sw[c] / sy) + zy)) for each accumulator; c = channel_of(i).
template <typename ChannelOf>
Tensor requantize(const Graph& g, const Node& n, const std::vector<int64_t>& acc, std::vector<int64_t> dims, float sx,
                  const Params& w, const Tensor& sy_t, const Tensor& zy_t, ChannelOf channel_of) {
  const float sy = single_scale(g, n, sy_t, "y_scale");
  const DType out = q8_input_type(g, n, zy_t, "y_zero_point");
  if (zy_t.numel() != 1) arg::fail(g, n, "y_zero_point must be one value (per tensor), got " + dims_to_string(zy_t.dims));
  const int64_t zy = zy_t.as_int64()[0];
  std::vector<double> mult;
  for (float sw : w.scale) mult.push_back(double(sx * sw / sy));   // float32, as numpy computes it
  Tensor y = arg::make(g, n, out, std::move(dims));
  for (int64_t i = 0; i < y.numel(); ++i)
    store_q8(y, i, saturate_round(double(acc[size_t(i)]) * mult[size_t(channel_of(i))] + double(zy), out));
  return y;
}

}  // namespace

Outputs eval_QuantizeLinear(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 2, 3);
  const Tensor& x = arg::required(g, n, in, 0, "x");
  const Tensor& scale = arg::required(g, n, in, 1, "y_scale");
  const Tensor* zp = arg::optional(in, 2);
  refuse_blocks(g, n);
  if (x.dtype != DType::Float32)
    arg::fail(g, n, "input x has element type " + dtype_name(x.dtype) + "; octet quantizes float32 only");
  DType out = zp ? zp->dtype : static_cast<DType>(n.attr_int("output_dtype", static_cast<int64_t>(DType::Uint8)));
  if (!is_q8(out))
    arg::fail(g, n, "quantizing to " + dtype_name(out) + " is not supported (uint8 and int8 only)");
  const Params p = read_params(g, n, x.dims, n.attr_int("axis", 1), scale, zp, out, "y_scale", "y_zero_point");
  Tensor y = arg::make(g, n, out, x.dims);
  const float* xv = x.data<float>();
  for (int64_t i = 0; i < x.numel(); ++i) {
    const size_t c = static_cast<size_t>(p.at(i));
    const float r = xv[i] / p.scale[c];   // float32 division, as ONNX's reference does
    store_q8(y, i, std::isnan(r) ? p.zero[c] : saturate_round(std::nearbyint(double(r)) + double(p.zero[c]), out));
  }
  return {std::move(y)};
}

Outputs eval_DequantizeLinear(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 2, 3);
  const Tensor& x = arg::required(g, n, in, 0, "x");
  const Tensor& scale = arg::required(g, n, in, 1, "x_scale");
  const Tensor* zp = arg::optional(in, 2);
  refuse_blocks(g, n);
  if (!is_q8(x.dtype) && x.dtype != DType::Int32)
    arg::fail(g, n, "input x has element type " + dtype_name(x.dtype) + "; octet dequantizes uint8, int8 and int32");
  const Params p = read_params(g, n, x.dims, n.attr_int("axis", 1), scale, zp, x.dtype, "x_scale", "x_zero_point");
  const std::vector<int64_t> q = centred(x, p);
  Tensor y = arg::make(g, n, DType::Float32, x.dims);
  float* yv = y.data<float>();
  for (int64_t i = 0; i < y.numel(); ++i) yv[i] = static_cast<float>(q[size_t(i)]) * p.scale[size_t(p.at(i))];
  return {std::move(y)};
}

Outputs eval_QLinearConv(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 8, 9);
  const Tensor& x = arg::required(g, n, in, 0, "x");
  const Tensor& w = arg::required(g, n, in, 3, "w");
  const Tensor* b = arg::optional(in, 8);
  const DType xt = q8_input_type(g, n, x, "x"), wt = q8_input_type(g, n, w, "w");
  if (x.rank() < 3 || x.rank() > 5 || w.rank() != x.rank())
    arg::fail(g, n, "x " + dims_to_string(x.dims) + " and w " + dims_to_string(w.dims) +
                        " must have the same rank, with 1 to 3 spatial dims");
  const int64_t group = n.attr_int("group", 1);
  const int64_t C = x.dims[1], M = w.dims[0];
  if (group <= 0 || M % group != 0 || w.dims[1] * group != C)
    arg::fail(g, n, "x " + dims_to_string(x.dims) + ", w " + dims_to_string(w.dims) + " and group " +
                        std::to_string(group) + " do not fit together");
  const float sx = single_scale(g, n, arg::required(g, n, in, 1, "x_scale"), "x_scale");
  const Params px = read_params(g, n, x.dims, 0, arg::required(g, n, in, 1, "x_scale"),
                                &arg::required(g, n, in, 2, "x_zero_point"), xt, "x_scale", "x_zero_point");
  // w's scale and zero point are per tensor or per output channel (axis 0).
  const Params pw = read_params(g, n, w.dims, 0, arg::required(g, n, in, 4, "w_scale"),
                                &arg::required(g, n, in, 5, "w_zero_point"), wt, "w_scale", "w_zero_point");
  if (b != nullptr && (b->dtype != DType::Int32 || b->rank() != 1 || b->dims[0] != M))
    arg::fail(g, n, "bias B must be int32 of shape [" + std::to_string(M) + "], got " + dtype_name(b->dtype) + " " +
                        dims_to_string(b->dims));

  const std::vector<int64_t> in_sp(x.dims.begin() + 2, x.dims.end()), k_sp(w.dims.begin() + 2, w.dims.end());
  const WindowParams wp = window_params(g, n, in_sp, k_sp);
  const std::vector<int64_t> out_sp = wp.output_spatial(in_sp);
  using kernels::to_spatial;
  const kernels::Spatial is = to_spatial(in_sp, 1), os = to_spatial(out_sp, 1), ks = to_spatial(wp.kernel, 1),
                         st = to_spatial(wp.strides, 1), dl = to_spatial(wp.dilations, 1),
                         pb = to_spatial(wp.pads_begin, 0);
  const std::vector<int64_t> xq = centred(x, px), wq = centred(w, pw);
  const int64_t cin_g = C / group, cout_g = M / group, in_plane = kernels::spatial_size(is),
                k_size = kernels::spatial_size(ks), out_plane = kernels::spatial_size(os);
  std::vector<int64_t> out_dims{x.dims[0], M};
  out_dims.insert(out_dims.end(), out_sp.begin(), out_sp.end());
  std::vector<int64_t> acc(static_cast<size_t>(x.dims[0] * M * out_plane), 0);
  size_t o = 0;
  for (int64_t bn = 0; bn < x.dims[0]; ++bn)
    for (int64_t m = 0; m < M; ++m)
      for (int64_t od = 0; od < os[0]; ++od)
        for (int64_t oh = 0; oh < os[1]; ++oh)
          for (int64_t ow = 0; ow < os[2]; ++ow, ++o) {
            int64_t sum = b ? b->data<int32_t>()[m] : 0;
            for (int64_t c = 0; c < cin_g; ++c) {
              const int64_t* xp = xq.data() + (bn * C + (m / cout_g) * cin_g + c) * in_plane;
              const int64_t* wp_ = wq.data() + (m * cin_g + c) * k_size;
              for (int64_t kd = 0; kd < ks[0]; ++kd)
                for (int64_t kh = 0; kh < ks[1]; ++kh)
                  for (int64_t kw = 0; kw < ks[2]; ++kw) {
                    const int64_t id = od * st[0] - pb[0] + kd * dl[0], ih = oh * st[1] - pb[1] + kh * dl[1],
                                  iw = ow * st[2] - pb[2] + kw * dl[2];
                    if (id < 0 || id >= is[0] || ih < 0 || ih >= is[1] || iw < 0 || iw >= is[2]) continue;
                    sum += xp[(id * is[1] + ih) * is[2] + iw] * wp_[(kd * ks[1] + kh) * ks[2] + kw];
                  }
            }
            acc[o] = sum;
          }
  return {requantize(g, n, acc, out_dims, sx, pw, arg::required(g, n, in, 6, "y_scale"),
                     arg::required(g, n, in, 7, "y_zero_point"),
                     [&](int64_t i) { return pw.scale.size() == 1 ? 0 : (i / out_plane) % M; })};
}

Outputs eval_QLinearMatMul(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 8, 8);
  const Tensor& a = arg::required(g, n, in, 0, "a");
  const Tensor& b = arg::required(g, n, in, 3, "b");
  const DType at = q8_input_type(g, n, a, "a"), bt = q8_input_type(g, n, b, "b");
  if (a.rank() < 2 || b.rank() < 2)
    arg::fail(g, n, "a " + dims_to_string(a.dims) + " and b " + dims_to_string(b.dims) + " must have rank >= 2");
  const int64_t M = a.dims[a.dims.size() - 2], K = a.dims.back(), N = b.dims.back();
  if (b.dims[b.dims.size() - 2] != K)
    arg::fail(g, n, "inner dimensions differ: a " + dims_to_string(a.dims) + " x b " + dims_to_string(b.dims));
  const float sa = single_scale(g, n, arg::required(g, n, in, 1, "a_scale"), "a_scale");
  const Params pa = read_params(g, n, a.dims, 0, arg::required(g, n, in, 1, "a_scale"),
                                &arg::required(g, n, in, 2, "a_zero_point"), at, "a_scale", "a_zero_point");
  // b's scale and zero point are per tensor or per column (its last axis).
  const Params pb = read_params(g, n, b.dims, -1, arg::required(g, n, in, 4, "b_scale"),
                                &arg::required(g, n, in, 5, "b_zero_point"), bt, "b_scale", "b_zero_point");
  const std::vector<int64_t> batch_a(a.dims.begin(), a.dims.end() - 2), batch_b(b.dims.begin(), b.dims.end() - 2);
  const std::vector<int64_t> batch = broadcast_dims(g, n, batch_a, batch_b);
  const std::vector<int64_t> sa_b = broadcast_strides(batch_a, batch), sb_b = broadcast_strides(batch_b, batch);
  int64_t count = 1;
  for (int64_t d : batch) count *= d;
  const std::vector<int64_t> aq = centred(a, pa), bq = centred(b, pb);
  std::vector<int64_t> acc(static_cast<size_t>(count * M * N), 0);
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      oa += idx[d] * sa_b[d];
      ob += idx[d] * sb_b[d];
    }
    for (int64_t m = 0; m < M; ++m)
      for (int64_t c = 0; c < N; ++c) {
        int64_t sum = 0;
        for (int64_t k = 0; k < K; ++k) sum += aq[size_t((oa * M + m) * K + k)] * bq[size_t((ob * K + k) * N + c)];
        acc[size_t((i * M + m) * N + c)] = sum;
      }
    for (size_t d = batch.size(); d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
  std::vector<int64_t> out_dims = batch;
  out_dims.push_back(M);
  out_dims.push_back(N);
  return {requantize(g, n, acc, out_dims, sa, pb, arg::required(g, n, in, 6, "y_scale"),
                     arg::required(g, n, in, 7, "y_zero_point"),
                     [&](int64_t i) { return pb.scale.size() == 1 ? 0 : i % N; })};
}

}  // namespace octet::ref
