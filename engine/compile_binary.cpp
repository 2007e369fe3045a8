// The broadcast element-wise operators of the compiler (engine/compiler.h): Add, Sub, Mul,
// Div between activations and constants, and a BatchNormalization the optimiser could not
// fold into a conv, as the per-channel affine x * s + t. All become BinaryF32Step
// (engine/runtime/steps/binary_f32.h): the broadcast is ONNX's, over the logical NCHW dims,
// resolved here against each operand's storage order (engine/binary_broadcast.h).
#include <cmath>
#include <cstring>

#include "engine/binary_broadcast.h"
#include "engine/compiler.h"

namespace octet::detail {

using kernels::BinaryF32Op;

// Input `input` of n, for an output of per-image rank `rank`: an activation's storage, or a
// constant's values with its dims right-aligned to the output's (numpy's rule) and its batch
// dim dropped (the constant is the same for every image, so that dim must be 1).
BinaryOperand Compiler::binary_operand(const Node& n, size_t input, size_t rank) {
  const Value& v = g_.value(n.inputs[input]);
  BinaryOperand o;
  if (!v.constant) {
    o.slot = as_float(n, n.inputs[input]);
    if (o.slot.dims.size() != rank)
      fail(n, "activation operand '" + v.name + "' has another rank than the output (only constants broadcast "
              "with fewer dims: an activation's batch dim must stay the batch)");
    o.dims = o.slot.dims;
    return o;
  }
  const Tensor& t = *v.constant;
  if (t.dtype != DType::Float32) fail(n, "constant operand '" + v.name + "' must be float32");
  if (static_cast<size_t>(t.rank()) > rank + 1) fail(n, "constant operand '" + v.name + "' has a higher rank than the output");
  std::vector<int64_t> full(rank + 1 - static_cast<size_t>(t.rank()), 1);
  full.insert(full.end(), t.dims.begin(), t.dims.end());
  if (full[0] != 1) fail(n, "constant operand '" + v.name + "' varies along the batch dim");
  o.constant = true;
  o.dims.assign(full.begin() + 1, full.end());
  o.values.assign(t.data<float>(), t.data<float>() + t.numel());
  return o;
}

size_t Compiler::append_floats(const std::vector<float>& values) {
  const size_t offset = append_weights(values.size() * sizeof(float));
  if (!values.empty()) std::memcpy(weights_.data() + offset, values.data(), values.size() * sizeof(float));
  return offset;
}

void Compiler::add_binary_step(const Node& n, BinaryF32Op op, BinaryOperand a, BinaryOperand b,
                               const std::vector<float>* addend) {
  const std::vector<int64_t> out_dims = per_image_dims(g_.value(n.outputs[0]), "output");
  // NHWC output when an activation operand is an internal NHWC image; a plain 4-D activation
  // of the output's full size is then converted once, so that both are read contiguously.
  const bool image = out_dims.size() == 3;
  const bool nhwc_out = image && ((!a.constant && a.slot.layout == Layout::Nhwc) ||
                                  (!b.constant && b.slot.layout == Layout::Nhwc));
  for (auto [o, i] : {std::pair{&a, size_t{0}}, std::pair{&b, size_t{1}}})
    if (nhwc_out && !o->constant && o->slot.layout == Layout::Plain && o->dims == out_dims)
      o->slot = nhwc(n, n.inputs[i]);
  const std::vector<int> out_order = nhwc_out ? nhwc_order() : row_major_order(out_dims.size());
  auto operand = [&](const BinaryOperand& o) {
    if (o.constant) return BroadcastOperand{o.dims, out_order};
    return BroadcastOperand{o.dims, o.slot.layout == Layout::Nhwc ? nhwc_order() : row_major_order(o.dims.size())};
  };
  BinaryF32Step p;
  try {
    p.shape = lower_binary(op, out_dims, out_order, operand(a), operand(b));
  } catch (const Error& e) {
    fail(n, e.what());
  }
  if (a.constant && b.constant) fail(n, "both operands are constants (constant folding computes this)");
  p.a_constant = a.constant;
  p.b_constant = b.constant;
  if (a.constant) p.a_offset = append_floats(to_storage_order(a.values, a.dims, out_order));
  if (b.constant) p.b_offset = append_floats(to_storage_order(b.values, b.dims, out_order));
  if (addend != nullptr) p.c_offset = append_floats(to_storage_order(*addend, b.dims, out_order));
  const int first = a.constant ? b.slot.buffer : a.slot.buffer;
  const int second = a.constant || b.constant ? -1 : b.slot.buffer;
  add_output_step(n, Step::of(n.name, p, first, second), nhwc_out ? Layout::Nhwc : Layout::Plain, out_dims);
}

void Compiler::compile_binary(const Node& n) {
  BinaryF32Op op = BinaryF32Op::Add;
  switch (n.op) {
    case OpKind::Add: op = BinaryF32Op::Add; break;
    case OpKind::Sub: op = BinaryF32Op::Sub; break;
    case OpKind::Mul: op = BinaryF32Op::Mul; break;
    case OpKind::Div: op = BinaryF32Op::Div; break;
    default: fail(n, "not a binary arithmetic operator");
  }
  const size_t rank = per_image_dims(g_.value(n.outputs[0]), "output").size();
  add_binary_step(n, op, binary_operand(n, 0, rank), binary_operand(n, 1, rank), nullptr);
}

// y = x * s + t per channel (dim 1 of [N,C,...]), with s and t computed as the reference
// kernel (kernels/reference/batchnorm.h) and ONNX Runtime do, so the roundings agree.
void Compiler::compile_batchnorm(const Node& n) {
  if (n.attr_int("training_mode", 0) != 0 || n.outputs.size() > 1) fail(n, "training mode is not supported");
  const size_t rank = per_image_dims(g_.value(n.outputs[0]), "output").size();
  if (rank < 1) fail(n, "input X must have rank >= 2 ([N,C,...])");
  BinaryOperand x = binary_operand(n, 0, rank);
  if (x.constant) fail(n, "X must be an activation");
  const int64_t channels = x.dims[0];
  const Tensor* t[4];
  static const char* const kNames[] = {"scale", "B", "input_mean", "input_var"};
  for (size_t i = 0; i < 4; ++i) {
    t[i] = &constant(n, i + 1, kNames[i]);
    if (t[i]->numel() != channels) fail(n, std::string(kNames[i]) + " must have one value per channel");
  }
  const float epsilon = n.attr_float("epsilon", 1e-5f);
  BinaryOperand scale;
  scale.constant = true;
  scale.dims.assign(rank, 1);
  scale.dims[0] = channels;
  std::vector<float> shift(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    const float inv_std = 1.f / std::sqrt(t[3]->data<float>()[c] + epsilon);
    const float s = t[0]->data<float>()[c] * inv_std;
    scale.values.push_back(s);
    shift[static_cast<size_t>(c)] = t[1]->data<float>()[c] - t[2]->data<float>()[c] * s;
  }
  add_binary_step(n, BinaryF32Op::MulAdd, std::move(x), std::move(scale), &shift);
}

}  // namespace octet::detail
