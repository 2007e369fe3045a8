// ONNX node tests of operators octet implements that exercise a feature octet declares
// unsupported. Each entry names the feature. A listed test still runs: a failure is reported
// as "skipped: <reason>", and a pass flags the entry as stale. Anything failing that is not
// listed here is a FAIL.
#include <array>

#include "tools/conformance/conformance.h"

namespace octet::conformance {

namespace {

constexpr std::string_view kFloat16 = "float16 tensors are not supported";
constexpr std::string_view kBFloat16 = "bfloat16 tensors are not supported";
constexpr std::string_view kString = "string tensors are not supported";
constexpr std::string_view kTrainingBN =
    "training_mode=1 BatchNormalization (batch statistics, running-stat outputs) is training-only; "
    "octet is an inference engine";
constexpr std::string_view kTrainingDropout =
    "training_mode=1 Dropout (random mask) is training-only; octet is an inference engine";

constexpr std::array kSkips = {
    SkipEntry{"test_batchnorm_epsilon_training_mode", kTrainingBN},
    SkipEntry{"test_batchnorm_example_training_mode", kTrainingBN},

    SkipEntry{"test_cast_BFLOAT16_to_FLOAT", kBFloat16},
    SkipEntry{"test_cast_FLOAT_to_BFLOAT16", kBFloat16},
    SkipEntry{"test_cast_DOUBLE_to_FLOAT16", kFloat16},
    SkipEntry{"test_cast_FLOAT16_to_DOUBLE", kFloat16},
    SkipEntry{"test_cast_FLOAT16_to_FLOAT", kFloat16},
    SkipEntry{"test_cast_FLOAT_to_FLOAT16", kFloat16},
    SkipEntry{"test_cast_FLOAT_to_STRING", kString},
    SkipEntry{"test_cast_STRING_to_FLOAT", kString},
    // CastLike's function body is a single Cast, so its expanded tests are Cast tests.
    SkipEntry{"test_castlike_BFLOAT16_to_FLOAT_expanded", kBFloat16},
    SkipEntry{"test_castlike_FLOAT_to_BFLOAT16_expanded", kBFloat16},
    SkipEntry{"test_castlike_DOUBLE_to_FLOAT16_expanded", kFloat16},
    SkipEntry{"test_castlike_FLOAT16_to_DOUBLE_expanded", kFloat16},
    SkipEntry{"test_castlike_FLOAT16_to_FLOAT_expanded", kFloat16},
    SkipEntry{"test_castlike_FLOAT_to_FLOAT16_expanded", kFloat16},
    SkipEntry{"test_castlike_FLOAT_to_STRING_expanded", kString},
    SkipEntry{"test_castlike_STRING_to_FLOAT_expanded", kString},

    SkipEntry{"test_identity_opt", "optional-typed values are not supported (tensor values only)"},
    SkipEntry{"test_identity_sequence", "sequence-typed values are not supported (tensor values only)"},

    SkipEntry{"test_training_dropout", kTrainingDropout},
    SkipEntry{"test_training_dropout_default", kTrainingDropout},
    SkipEntry{"test_training_dropout_default_mask", kTrainingDropout},
    SkipEntry{"test_training_dropout_mask", kTrainingDropout},
};

}  // namespace

std::span<const SkipEntry> skip_list() { return kSkips; }

}  // namespace octet::conformance
