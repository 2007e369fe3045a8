// octet-bench-model: end-to-end timing of a model on octet's optimised runtime. Prints the
// median and spread of per-image time over timed runs, or (--json) every run's time so a
// driver script (bench/peers) can pool runs and compare with ONNX Runtime; --profile adds
// a per-layer breakdown.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "engine/pipeline/model.h"
#include "engine/pipeline/stages.h"
#include "engine/runtime/error.h"
#include "engine/runtime/session.h"
#include "tools/cli/cli.h"
#include "tools/datasets/cifar.h"

namespace octet {
namespace {

constexpr const char* kUsage = R"(usage: octet-bench-model --model M.onnx [options]

Times M.onnx (or a compiled M.octet) on octet's optimised runtime with CIFAR-10 images as input.

  --model M.onnx   the model, ONNX or .octet (float32 input [N,32,32,3] or [N,3,32,32])
  --data F         CIFAR-10 file for the input images (default data/cifar10-test-first1000.bin)
  --batch B        images per run (default 1)
  --threads T      threads (default 1)
  --iters N        timed runs (default 200)
  --warmup N       untimed runs first (default 20)
  --json           print {"batch":..,"threads":..,"us_per_image":[every run]} only
  --profile        per-layer time breakdown (layers run one after another, rows split)
  --help           this text
)";

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int run(int argc, char** argv) {
  cli::Args args(argc, argv, {"help", "json", "profile"}, {"model", "data", "batch", "threads", "iters", "warmup"});
  if (args.flag("help")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  const std::string model = args.get_or("model", "");
  if (model.empty()) throw Error("--model is required (see --help)");
  const int batch = static_cast<int>(args.get_int("batch", 1, 1, 4096));
  const int threads = static_cast<int>(args.get_int("threads", 1, 1, 64));
  const int iters = static_cast<int>(args.get_int("iters", 200, 1, 1000000));
  const int warmup = static_cast<int>(args.get_int("warmup", 20, 0, 1000000));
  const std::string data = args.get_or("data", std::string(OCTET_DEFAULT_DATA));

  Model loaded = Model::load(model);
  const Plan& plan = loaded.plan();
  if (plan.inputs.size() != 1) throw Error("the model must have one input");
  // From the model's inputs, which a .octet file has too (it has no graph).
  Shape input_shape{true, {}};
  const std::vector<TensorInfo> inputs = loaded.inputs();
  for (int64_t d : inputs.at(0).dims) input_shape.dims.push_back(d >= 0 ? Dim::known(d) : Dim::named("N"));
  const ImageLayout layout = layout_from_input_shape(input_shape, plan.inputs[0].name);
  CifarSet set = read_cifar_file(data, CifarFormat::Auto, static_cast<size_t>(batch), nullptr);
  if (set.size() < static_cast<size_t>(batch)) throw Error(data + " has fewer images than the batch");
  Tensor input = make_cifar_input(set, 0, static_cast<size_t>(batch), layout, static_cast<size_t>(batch));
  std::vector<float> output(static_cast<size_t>(batch * plan.outputs[0].floats_per_image()));

  Session session(plan, {threads, batch});
  const float* x = input.data<float>();
  float* y = output.data();
  auto once = [&] { session.run(batch, std::span<const float* const>(&x, 1), std::span<float* const>(&y, 1)); };
  for (int i = 0; i < warmup; ++i) once();
  std::vector<double> us;
  for (int i = 0; i < iters; ++i) {
    auto t0 = std::chrono::steady_clock::now();
    once();
    us.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count() / batch);
  }
  if (args.flag("json")) {
    std::printf("{\"batch\":%d,\"threads\":%d,\"us_per_image\":[", batch, threads);
    for (size_t i = 0; i < us.size(); ++i) std::printf("%s%.3f", i ? "," : "", us[i]);
    std::printf("]}\n");
    return 0;
  }
  std::vector<double> sorted = us;
  std::sort(sorted.begin(), sorted.end());
  std::printf("%s: batch %d, threads %d, isa %s, arena %zu bytes/image\n", model.c_str(), batch, threads,
              plan.isa.c_str(), plan.arena_bytes_per_image);
  std::printf("  %.1f us/image median (p10 %.1f, p90 %.1f), %.0f images/s, %.1f GMAC/s\n", median(us),
              sorted[sorted.size() / 10], sorted[sorted.size() * 9 / 10], 1e6 / median(us),
              plan.macs_per_image() / median(us) / 1e3);
  if (args.flag("profile")) {
    session.enable_profile(true);
    for (int i = 0; i < iters; ++i) once();
    const std::vector<double>& t = session.step_seconds();
    double total = 0;
    for (double s : t) total += s;
    std::printf("  per layer (us/image, %% of total, GMAC/s):\n");
    for (size_t i = 0; i < plan.steps.size(); ++i) {
      const Step& s = plan.steps[i];
      const double per = t[i] / iters / batch * 1e6;
      std::printf("  %3zu %-40s %8.1f %5.1f%% %7.1f  %s\n", i, s.kernel_name(),
                  per, 100 * t[i] / total, s.macs ? s.macs / per / 1e3 : 0.0, s.name.c_str());
    }
  }
  return 0;
}

}  // namespace
}  // namespace octet

int main(int argc, char** argv) {
  try {
    return octet::run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "octet-bench-model: error: %s\n", e.what());
    return 1;
  }
}
