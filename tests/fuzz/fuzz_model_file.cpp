// libFuzzer target: arbitrary bytes as a compiled model file (.octet), through the loader with
// its checksum check off (so that mutations reach the structural checks behind it), then one
// run of whatever plan it accepts. octet::Error is the expected answer to bad input; a crash,
// a sanitizer report (an out-of-bounds read in a kernel means validate_plan let through a
// plan it should have refused), any other exception, running out of memory or a timeout is
// a finding.
//
// Seeds: run once with OCTET_FUZZ_WRITE_SEEDS=DIR and OCTET_FUZZ_SEED_MODEL=M.onnx, it writes
// M compiled FP32 and u8s8 (calibrated on the CIFAR-10 file beside M) into DIR and exits;
// tools/octet-fuzz does this.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "engine/pipeline/stages.h"
#include "engine/runtime/error.h"
#include "engine/runtime/model_file.h"
#include "engine/runtime/session.h"
#include "tools/datasets/cifar.h"
#include "tools/datasets/cifar_calibration.h"

namespace {

using namespace octet;

constexpr size_t kMaxRunFloats = size_t{1} << 22;
constexpr int64_t kMaxRunMacs = int64_t{1} << 26;

void write_seeds(const std::string& dir, const std::string& model) {
  CompileOptions o;
  o.autotune = false;
  save_model_file(load_plan(model, o), dir + "/fp32.octet");
  const std::string data = model.substr(0, model.find_last_of('/') + 1) + "cifar10-train-subset.bin";
  const CifarSet train = read_cifar_file(data);
  const Graph base = quantization_base(load_runtime_graph(model));
  const auto ranges = calibrate_on_cifar(base, cifar_select(train, calibration_indices(train, 1)), ImageLayout::NHWC);
  save_model_file(compile_for_runtime(quantize_model(base, ranges, quant::Scheme::U8S8), o), dir + "/u8s8.octet");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const char* dir = std::getenv("OCTET_FUZZ_WRITE_SEEDS");
  const char* model = std::getenv("OCTET_FUZZ_SEED_MODEL");
  if (dir && model) {
    try {
      write_seeds(dir, model);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "fuzz_model_file: cannot write seeds: %s\n", e.what());
      std::exit(1);
    }
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const Plan plan = load_model_file(std::span<const uint8_t>(data, size), {.verify_checksum = false});
    size_t floats = (plan.arena_bytes_per_image + plan.workspace_bytes) / sizeof(float);
    for (const Port& p : plan.inputs) floats += static_cast<size_t>(p.floats_per_image());
    for (const Port& p : plan.outputs) floats += static_cast<size_t>(p.floats_per_image());
    if (floats > kMaxRunFloats || plan.macs_per_image() > kMaxRunMacs) return 0;
    Session session(plan, SessionOptions{.threads = 1, .max_batch = 1});
    std::vector<std::vector<float>> in, out;
    std::vector<const float*> in_ptrs;
    std::vector<float*> out_ptrs;
    for (const Port& p : plan.inputs) in.emplace_back(static_cast<size_t>(p.floats_per_image()), 1.f);
    for (const Port& p : plan.outputs) out.emplace_back(static_cast<size_t>(p.floats_per_image()), 0.f);
    for (auto& v : in) in_ptrs.push_back(v.data());
    for (auto& v : out) out_ptrs.push_back(v.data());
    session.run(1, in_ptrs, out_ptrs);
  } catch (const Error&) {
  }
  return 0;
}
