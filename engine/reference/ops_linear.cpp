// MatMul (numpy semantics: batch broadcasting, 1-D operands) and Gemm.
#include <string>
#include <vector>

#include "engine/reference/broadcast.h"
#include "engine/reference/op_args.h"
#include "engine/reference/ops.h"
#include "kernels/reference/elementwise.h"
#include "kernels/reference/gemm.h"

namespace octet::ref {
namespace {

void check_float_type(const Graph& g, const Node& n, const Tensor& t, DType want, const char* name) {
  if (t.dtype != DType::Float32 && t.dtype != DType::Float64)
    arg::fail(g, n, std::string("input ") + name + ": element type " + dtype_name(t.dtype) +
                        " is not supported (octet computes " + std::string(op_name(n.op)) + " on float32 and float64)");
  if (t.dtype != want)
    arg::fail(g, n, std::string("input ") + name + " has element type " + dtype_name(t.dtype) + ", expected " +
                        dtype_name(want) + " like input A");
}

template <typename T>
void matmul_batches(const kernels::GemmParams& p, const std::vector<int64_t>& batch, const std::vector<int64_t>& sa,
                    const std::vector<int64_t>& sb, const T* a, const T* b, T* y) {
  // Walks the broadcast batch index in row-major order; sa/sb are the operands' strides in
  // matrices (0 along broadcast dims).
  const int64_t count = [&] {
    int64_t c = 1;
    for (int64_t d : batch) c *= d;
    return c;
  }();
  std::vector<int64_t> idx(batch.size(), 0);
  for (int64_t i = 0; i < count; ++i) {
    int64_t oa = 0, ob = 0;
    for (size_t d = 0; d < batch.size(); ++d) {
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    kernels::gemm_ref<T>(p, a + oa * p.M * p.K, b + ob * p.K * p.N, nullptr, y + i * p.M * p.N);
    for (size_t d = batch.size(); d-- > 0;) {
      if (++idx[d] < batch[d]) break;
      idx[d] = 0;
    }
  }
}

}  // namespace

Outputs eval_MatMul(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 2, 2);
  const Tensor& a = arg::required(g, n, in, 0, "A");
  const Tensor& b = arg::required(g, n, in, 1, "B");
  check_float_type(g, n, a, a.dtype, "A");
  check_float_type(g, n, b, a.dtype, "B");
  if (a.rank() == 0 || b.rank() == 0)
    arg::fail(g, n, "inputs must not be scalars, got A " + dims_to_string(a.dims) + " and B " + dims_to_string(b.dims));

  // numpy: a 1-D A is a row [1,K], a 1-D B a column [K,1]; those dims leave the output again.
  std::vector<int64_t> da = a.dims, db = b.dims;
  const bool a_vec = da.size() == 1, b_vec = db.size() == 1;
  if (a_vec) da.insert(da.begin(), 1);
  if (b_vec) db.push_back(1);
  const int64_t M = da[da.size() - 2], K = da.back(), N = db.back();
  if (db[db.size() - 2] != K)
    arg::fail(g, n, "inner dimensions differ: A " + dims_to_string(a.dims) + " x B " + dims_to_string(b.dims));
  const std::vector<int64_t> batch_a(da.begin(), da.end() - 2), batch_b(db.begin(), db.end() - 2);
  const std::vector<int64_t> batch = broadcast_dims(g, n, batch_a, batch_b);

  std::vector<int64_t> out_dims = batch;
  if (!a_vec) out_dims.push_back(M);
  if (!b_vec) out_dims.push_back(N);
  Tensor y = arg::make(g, n, a.dtype, out_dims);
  if (y.numel() == 0) return {std::move(y)};
  kernels::GemmParams p;
  p.M = M;
  p.N = N;
  p.K = K;
  p.alpha = 1.f;
  const std::vector<int64_t> sa = broadcast_strides(batch_a, batch), sb = broadcast_strides(batch_b, batch);
  if (a.dtype == DType::Float64)
    matmul_batches<double>(p, batch, sa, sb, a.data<double>(), b.data<double>(), y.data<double>());
  else
    matmul_batches<float>(p, batch, sa, sb, a.data<float>(), b.data<float>(), y.data<float>());
  return {std::move(y)};
}

Outputs eval_Gemm(const Graph& g, const Node& n, Inputs in) {
  arg::count(g, n, in, 2, 3);
  const Tensor& a = arg::required(g, n, in, 0, "A");
  const Tensor& b = arg::required(g, n, in, 1, "B");
  const Tensor* c = arg::optional(in, 2);
  check_float_type(g, n, a, a.dtype, "A");
  check_float_type(g, n, b, a.dtype, "B");
  if (c != nullptr) check_float_type(g, n, *c, a.dtype, "C");
  if (a.rank() != 2 || b.rank() != 2)
    arg::fail(g, n, "A and B must be 2-D, got " + dims_to_string(a.dims) + " and " + dims_to_string(b.dims));

  kernels::GemmParams p;
  p.trans_a = n.attr_int("transA", 0) != 0;
  p.trans_b = n.attr_int("transB", 0) != 0;
  p.alpha = n.attr_float("alpha", 1.f);
  p.beta = n.attr_float("beta", 1.f);
  p.M = a.dims[p.trans_a ? 1 : 0];
  p.K = a.dims[p.trans_a ? 0 : 1];
  p.N = b.dims[p.trans_b ? 0 : 1];
  if (b.dims[p.trans_b ? 1 : 0] != p.K)
    arg::fail(g, n, "inner dimensions differ: A " + dims_to_string(a.dims) + (p.trans_a ? " (transposed)" : "") +
                        " x B " + dims_to_string(b.dims) + (p.trans_b ? " (transposed)" : ""));
  if (c != nullptr) {
    // C broadcasts one way ("unidirectionally") into [M,N]: right-aligned, each dim 1 or equal.
    const std::string bad = "C " + dims_to_string(c->dims) + " does not broadcast to the output [" +
                            std::to_string(p.M) + "," + std::to_string(p.N) + "]";
    if (c->rank() > 2) arg::fail(g, n, bad);
    const int64_t cm = c->rank() == 2 ? c->dims[0] : 1;
    const int64_t cn = c->rank() >= 1 ? c->dims[c->rank() - 1] : 1;
    if ((cm != 1 && cm != p.M) || (cn != 1 && cn != p.N)) arg::fail(g, n, bad);
    p.c_row_stride = cm == 1 ? 0 : cn;
    p.c_col_stride = cn == 1 ? 0 : 1;
  }

  Tensor y = arg::make(g, n, a.dtype, {p.M, p.N});
  if (y.numel() == 0) return {std::move(y)};
  if (a.dtype == DType::Float64)
    kernels::gemm_ref<double>(p, a.data<double>(), b.data<double>(), c ? c->data<double>() : nullptr, y.data<double>());
  else
    kernels::gemm_ref<float>(p, a.data<float>(), b.data<float>(), c ? c->data<float>() : nullptr, y.data<float>());
  // The fused epilogue (graph/ir.h): a Gemm's can only be Relu (evaluate_node checked it).
  if (n.epilogue.activation == Epilogue::Activation::Relu) {
    if (a.dtype == DType::Float64) kernels::relu<double>(y.data<double>(), y.data<double>(), y.numel());
    else kernels::relu<float>(y.data<float>(), y.data<float>(), y.numel());
  }
  return {std::move(y)};
}

}  // namespace octet::ref
