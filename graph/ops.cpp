#include "graph/ops.h"

#include <array>

namespace octet {

namespace {
constexpr std::array kOps = {
#define OCTET_OP_INFO(e, name, lo, hi) OpInfo{OpKind::e, name, lo, hi},
    OCTET_OPS(OCTET_OP_INFO)
#undef OCTET_OP_INFO
};
}  // namespace

const OpInfo& op_info(OpKind kind) { return kOps[static_cast<size_t>(kind)]; }
std::string_view op_name(OpKind kind) { return op_info(kind).onnx_name; }

std::optional<OpKind> op_from_onnx_name(std::string_view op_type) {
  for (const OpInfo& info : kOps)
    if (info.onnx_name == op_type) return info.kind;
  return std::nullopt;
}

}  // namespace octet
