#include "engine/plan.h"

#include <cstdlib>
#include <new>
#include <sstream>

namespace octet {

AlignedFloats::AlignedFloats(size_t n) : size_(n) {
  void* p = std::aligned_alloc(64, ((n * sizeof(float) + 63) / 64) * 64 + 64);
  if (p == nullptr) throw std::bad_alloc();
  data_.reset(static_cast<float*>(p));
}

void AlignedFloats::Free::operator()(float* p) const { std::free(p); }

int64_t Port::floats_per_image() const {
  int64_t n = 1;
  for (size_t i = 1; i < dims.size(); ++i) n *= dims[i];
  return n;
}

const char* Step::kernel_name() const {
  if (conv) return conv->name;
  if (qconv) return qconv->name;
  if (gemm) return gemm->name;
  switch (kind) {
    case StepKind::AveragePool: return "average_pool";
    case StepKind::MaxPool: return "max_pool";
    case StepKind::GlobalAverage: return "global_average";
    case StepKind::Softmax: return "softmax";
    case StepKind::Add: return "add";
    case StepKind::NchwToNhwc: return "nchw_to_nhwc";
    case StepKind::NhwcToNchw: return "nhwc_to_nchw";
    case StepKind::QGlobalAverage: return "qu8_global_average";
    case StepKind::QAveragePool: return "qu8_average_pool";
    case StepKind::QAdd: return "qu8_add";
    case StepKind::Quantize: return "quantize";
    case StepKind::Dequantize: return "dequantize";
    default: return "?";
  }
}

int64_t Plan::macs_per_image() const {
  int64_t total = 0;
  for (const Step& s : steps) total += s.macs;
  return total;
}

std::string Plan::describe() const {
  std::ostringstream out;
  out << "plan: " << steps.size() << " steps, isa " << isa << (qvector ? " (int8)" : "") << ", arena " << arena_floats_per_image * 4
      << " bytes per image, workspace " << workspace_floats * 4 << " bytes per thread, weights "
      << weights.size() * 4 << " bytes\n";
  for (size_t i = 0; i < steps.size(); ++i) {
    const Step& s = steps[i];
    out << "  " << i << "  ";
    switch (s.kind) {
      case StepKind::Conv:
        out << s.conv->name << "  " << s.conv_params.in_h << "x" << s.conv_params.in_w << "x" << s.conv_params.in_c
            << " -> " << s.conv_params.out_h << "x" << s.conv_params.out_w << "x" << s.conv_params.out_c << "  k"
            << s.conv_params.kernel_h << "x" << s.conv_params.kernel_w << " s" << s.conv_params.stride_h
            << (s.input2 >= 0 ? " +residual" : "")
            << (s.conv_params.activation == kernels::Activation::Relu ? " relu" : "");
        break;
      case StepKind::AveragePool: out << "average_pool"; break;
      case StepKind::MaxPool: out << "max_pool"; break;
      case StepKind::GlobalAverage: out << "global_average " << s.height << "x" << s.width << "x" << s.channels; break;
      case StepKind::Gemm: out << s.gemm->name << "  " << s.rows << "x" << s.k << " -> " << s.n; break;
      case StepKind::Softmax: out << "softmax " << s.rows << "x" << s.n; break;
      case StepKind::Add: out << "add" << (s.activation == kernels::Activation::Relu ? " relu" : ""); break;
      case StepKind::NchwToNhwc: out << "nchw_to_nhwc"; break;
      case StepKind::NhwcToNchw: out << "nhwc_to_nchw"; break;
      case StepKind::QConv: {
        const kernels::ConvNhwcParams& c = s.qconv_params.shape;
        out << s.qconv->name << "  " << c.in_h << "x" << c.in_w << "x" << c.in_c << " -> " << c.out_h << "x"
            << c.out_w << "x" << c.out_c << "  k" << c.kernel_h << "x" << c.kernel_w << " s" << c.stride_h
            << (s.input2 >= 0 ? " +residual" : "")
            << (s.qconv_params.output_min > 0 ? " clamp[" + std::to_string(s.qconv_params.output_min) + "," +
                                                    std::to_string(s.qconv_params.output_max) + "]"
                                              : "");
        break;
      }
      case StepKind::QGlobalAverage:
        out << "qu8_global_average " << s.height << "x" << s.width << "x" << s.channels;
        break;
      case StepKind::QAveragePool: out << "qu8_average_pool"; break;
      case StepKind::QAdd: out << "qu8_add"; break;
      case StepKind::Quantize: out << "quantize " << s.elements << " (scale " << s.scale << ", zero point " << s.zero_point << ")"; break;
      case StepKind::Dequantize: out << "dequantize " << s.elements << " (scale " << s.scale << ", zero point " << s.zero_point << ")"; break;
    }
    out << "  (" << s.name << ")";
    if (s.macs) out << "  " << s.macs << " MACs";
    out << "\n";
  }
  return out.str();
}

}  // namespace octet
