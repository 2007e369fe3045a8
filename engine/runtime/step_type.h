// Step types: what a plan's step does, as one table of functions per kind (the TFLite Micro
// op-registration model: a kind owns its parameters and its functions, nothing else switches
// on the kind). Each type lives in its own file under engine/runtime/steps/ with its parameter
// struct (derived from StepParams); steps/registry.cpp lists them all with their stable .octet
// ids. The session runs a step through `run`, the plan printer uses `describe` and the kernel
// name, the model file writer, reader and validator call `write`, `read` and `validate`.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace octet {

namespace kernels {
struct VectorF32Kernels;
struct VectorQU8Kernels;
}  // namespace kernels

struct Step;
class ModelFileWriter;   // engine/runtime/model_file_io.h
class ModelFileReader;
class PlanChecker;       // engine/runtime/plan_checker.h

// The base of every step type's parameters (ConvF32Step, QAddStep, ...).
struct StepParams {
  virtual ~StepParams() = default;
};

// What one call of StepType::run works on: the step's buffers in the arena (byte pointers,
// 64-byte aligned, float or uint8 as the type says), the plan's weights, this thread's scratch
// and the plan's vector kernels.
struct StepContext {
  const uint8_t* input;
  const uint8_t* input2;   // nullptr when the step has none
  uint8_t* output;
  const uint8_t* weights;  // Plan::weights; a type adds its own byte offset
  void* workspace;         // Plan::workspace_bytes for this thread
  const kernels::VectorF32Kernels* vector;
  const kernels::VectorQU8Kernels* qvector;   // set when the plan has int8 steps

  template <typename T>
  const T* in() const { return reinterpret_cast<const T*>(input); }
  template <typename T>
  const T* in2() const { return reinterpret_cast<const T*>(input2); }
  template <typename T>
  T* out() const { return reinterpret_cast<T*>(output); }
};

// How a step splits across threads: `rows` output rows per image, handed out in multiples
// of `tile`. A step that cannot split has one row. `min_chunk`: the fewest rows one call of
// run should cover (0: no minimum). The session cuts a step's rows into chunks of about
// Session::kInterruptCheckMacs MACs to check for interrupts between them, but never below
// this: a kernel that reads all its weights on every call (a conv whose weights exceed the
// caches) names the rows over which it reuses them.
struct RowSplit {
  int32_t rows = 1;
  int32_t tile = 1;
  int32_t min_chunk = 0;
};

struct StepType {
  uint8_t id;         // stable id stored in .octet files; never reused (steps/registry.cpp)
  const char* name;   // "softmax": the kernel name of a type with a fixed routine
  bool int8;          // runs on the plan's int8 vector kernels (Plan::qvector)
  // Output rows [row_begin, row_end) of one image; the whole output when rows() is 1.
  void (*run)(const StepParams&, const StepContext&, int32_t row_begin, int32_t row_end);
  RowSplit (*rows)(const StepParams&);
  // The kernel variant's name ("qu8_conv_nhwc_direct_vnni"), or nullptr for a fixed routine.
  const char* (*kernel)(const StepParams&);
  // The plan printer's line: kernel and shapes (without the step index and node name).
  std::string (*describe)(const Step&);
  // What the step computes in a few words ("conv 3x3 s2 16→32, 8x8", "add") for reports
  // (octet-quantize's per-layer table); the kernel name when the type has nothing shorter.
  std::string (*summary)(const StepParams&);
  // .octet: empty parameters to read into, the fields (kernel pointers by registry name),
  // and the safety checks of a loaded step (buffers, shapes, weights, quantization ranges).
  std::unique_ptr<StepParams> (*make)();
  void (*write)(ModelFileWriter&, const StepParams&);
  void (*read)(ModelFileReader&, StepParams&);
  void (*validate)(PlanChecker&, const Step&);
  // Reads no byte past its inputs' elements, so that it may read a graph input in the caller's
  // array (Session::run), which has none of the arena's slack for SIMD tails. A type says so
  // with `static constexpr bool kReadsInputExactly = true;` once its kernels are checked.
  bool reads_input_exactly;
};

// Every step type (steps/registry.cpp), and the one with a given .octet id (nullptr if none).
std::span<const StepType* const> step_types();
const StepType* find_step_type(uint8_t id);

}  // namespace octet
