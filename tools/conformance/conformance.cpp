#include "tools/conformance/conformance.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <set>
#include <sstream>

#include "engine/executor.h"
#include "engine/prepare.h"
#include "engine/runtime/error.h"
#include "graph/onnx_import.h"
#include "graph/ops.h"
#include "engine/runtime/read_file.h"

namespace octet::conformance {

namespace fs = std::filesystem;

// ---- comparison -----------------------------------------------------------------------------

namespace {

bool is_floating(DType t) { return t == DType::Float32 || t == DType::Float64; }
bool is_integral(DType t) {
  switch (t) {
    case DType::Int8: case DType::Int16: case DType::Int32: case DType::Int64:
    case DType::Uint8: case DType::Uint16: case DType::Uint32: case DType::Uint64:
    case DType::Bool:
      return true;
    default:
      return false;
  }
}

// "[1,0,2]": the coordinates of flat index i, so a mismatch can be found in the test data.
std::string coords(int64_t i, const std::vector<int64_t>& dims) {
  std::vector<int64_t> c(dims.size());
  for (size_t k = dims.size(); k-- > 0;) {
    if (dims[k] == 0) break;
    c[k] = i % dims[k];
    i /= dims[k];
  }
  return dims_to_string(c);
}

std::string num(double v) {
  std::ostringstream s;
  s.precision(9);
  s << v;
  return s.str();
}

bool close(double a, double e, const Tolerance& tol) {
  if (a == e) return true;   // covers equal infinities
  if (std::isnan(a) || std::isnan(e)) return std::isnan(a) && std::isnan(e);
  if (std::isinf(a) || std::isinf(e)) return false;   // rtol * inf would accept anything
  return std::fabs(a - e) <= tol.atol + tol.rtol * std::fabs(e);
}

}  // namespace

std::optional<std::string> compare_tensors(const Tensor& actual, const Tensor& expected, const Tolerance& tol) {
  if (actual.dtype != expected.dtype)
    return "dtype " + dtype_name(actual.dtype) + ", expected " + dtype_name(expected.dtype);
  if (actual.dims != expected.dims)
    return "shape " + dims_to_string(actual.dims) + ", expected " + dims_to_string(expected.dims);
  if (actual.bytes.size() != expected.bytes.size())
    return "holds " + std::to_string(actual.bytes.size()) + " bytes, expected " + std::to_string(expected.bytes.size());

  const int64_t n = expected.numel();
  int64_t bad = 0, first = -1;
  std::string got, want;
  if (is_floating(expected.dtype)) {
    const std::vector<double> a = actual.as_double(), e = expected.as_double();
    for (int64_t i = 0; i < n; ++i) {
      if (close(a[static_cast<size_t>(i)], e[static_cast<size_t>(i)], tol)) continue;
      if (bad++ == 0) first = i, got = num(a[static_cast<size_t>(i)]), want = num(e[static_cast<size_t>(i)]);
    }
  } else if (is_integral(expected.dtype)) {
    // as_int64, not as_double: int64 values past 2^53 must still compare exactly.
    const std::vector<int64_t> a = actual.as_int64(), e = expected.as_int64();
    for (int64_t i = 0; i < n; ++i) {
      if (a[static_cast<size_t>(i)] == e[static_cast<size_t>(i)]) continue;
      if (bad++ == 0)
        first = i, got = std::to_string(a[static_cast<size_t>(i)]), want = std::to_string(e[static_cast<size_t>(i)]);
    }
  } else {
    // Types octet does not compute with (float16, ...): only identical bytes can match.
    if (actual.bytes == expected.bytes) return std::nullopt;
    return dtype_name(expected.dtype) + " bytes differ";
  }
  if (bad == 0) return std::nullopt;
  std::string msg = std::to_string(bad) + " of " + std::to_string(n) + " values differ";
  if (is_floating(expected.dtype)) msg += " (rtol " + num(tol.rtol) + ", atol " + num(tol.atol) + ")";
  return msg + "; first at " + coords(first, expected.dims) + ": got " + got + ", expected " + want;
}

std::optional<std::string_view> skip_reason(std::string_view test_name) {
  for (const SkipEntry& e : skip_list())
    if (e.test == test_name) return e.reason;
  return std::nullopt;
}

// ---- protobuf wire format ------------------------------------------------------------------
// Just enough to walk ModelProto.graph(7) → GraphProto.node(1) → NodeProto.op_type(4) and
// domain(7), and TensorProto.name(8). Field numbers from onnx.proto.

namespace {

class WireReader {
 public:
  explicit WireReader(std::span<const uint8_t> b) : p_(b.data()), end_(b.data() + b.size()) {}

  // Reads the next field's tag; false at the end of the message.
  bool next(uint64_t& field, int& wire) {
    if (p_ == end_) return false;
    uint64_t tag = varint();
    field = tag >> 3;
    wire = static_cast<int>(tag & 7);
    return true;
  }
  uint64_t varint() {
    uint64_t v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (p_ == end_) throw Error("truncated protobuf varint");
      uint8_t byte = *p_++;
      v |= uint64_t{static_cast<uint8_t>(byte & 0x7f)} << shift;
      if (!(byte & 0x80)) return v;
    }
    throw Error("malformed protobuf varint");
  }
  std::span<const uint8_t> bytes() {
    uint64_t len = varint();
    if (len > static_cast<uint64_t>(end_ - p_)) throw Error("truncated protobuf field");
    std::span<const uint8_t> out(p_, static_cast<size_t>(len));
    p_ += len;
    return out;
  }
  void skip(int wire) {
    switch (wire) {
      case 0: varint(); return;
      case 1: advance(8); return;
      case 2: bytes(); return;
      case 5: advance(4); return;
      default: throw Error("unsupported protobuf wire type " + std::to_string(wire));
    }
  }

 private:
  void advance(size_t n) {
    if (n > static_cast<size_t>(end_ - p_)) throw Error("truncated protobuf field");
    p_ += n;
  }
  const uint8_t* p_;
  const uint8_t* end_;
};

std::string as_string(std::span<const uint8_t> b) { return std::string(b.begin(), b.end()); }

std::string node_op_type(std::span<const uint8_t> node) {
  WireReader r(node);
  std::string op, domain;
  uint64_t field;
  int wire;
  while (r.next(field, wire)) {
    if (wire == 2 && field == 4) op = as_string(r.bytes());
    else if (wire == 2 && field == 7) domain = as_string(r.bytes());
    else r.skip(wire);
  }
  return domain.empty() || domain == "ai.onnx" ? op : domain + ":" + op;
}

}  // namespace

std::vector<std::string> scan_model_op_types(std::span<const uint8_t> model_bytes) {
  std::vector<std::string> ops;
  WireReader model(model_bytes);
  uint64_t field;
  int wire;
  while (model.next(field, wire)) {
    if (wire != 2 || field != 7) {
      model.skip(wire);
      continue;
    }
    WireReader graph(model.bytes());
    while (graph.next(field, wire)) {
      if (wire == 2 && field == 1) ops.push_back(node_op_type(graph.bytes()));
      else graph.skip(wire);
    }
  }
  return ops;
}

std::string scan_tensor_name(std::span<const uint8_t> tensor_bytes) {
  WireReader r(tensor_bytes);
  std::string name;
  uint64_t field;
  int wire;
  while (r.next(field, wire)) {
    if (wire == 2 && field == 8) name = as_string(r.bytes());
    else r.skip(wire);
  }
  return name;
}

// ---- running -------------------------------------------------------------------------------

namespace {

std::vector<uint8_t> read_bytes(const fs::path& path) { return read_whole_file(path.string(), kMaxModelFileBytes); }

// Reads <set>/<prefix>_0.pb, _1.pb, ... and orders them like `names` (the graph's inputs or
// outputs): by each file's TensorProto name when it has one, else by its number.
std::vector<Tensor> read_bound(const fs::path& set, const std::string& prefix, const std::vector<std::string>& names) {
  std::vector<fs::path> files;
  while (fs::exists(set / (prefix + "_" + std::to_string(files.size()) + ".pb")))
    files.push_back(set / (prefix + "_" + std::to_string(files.size()) + ".pb"));
  const std::string where = set.filename().string() + "/" + prefix;
  if (files.size() != names.size())
    throw Error(where + ": " + std::to_string(files.size()) + " " + prefix + "_*.pb files for " +
                std::to_string(names.size()) + " graph " + prefix + "s");
  std::vector<Tensor> out(names.size());
  std::vector<bool> filled(names.size(), false);
  for (size_t k = 0; k < files.size(); ++k) {
    const std::vector<uint8_t> bytes = read_bytes(files[k]);
    const std::string file = set.filename().string() + "/" + files[k].filename().string();
    const std::string name = scan_tensor_name(bytes);
    size_t slot = k;
    if (!name.empty()) {
      auto it = std::find(names.begin(), names.end(), name);
      if (it == names.end()) throw Error(file + " is named '" + name + "', which is no graph " + prefix);
      slot = static_cast<size_t>(it - names.begin());
    }
    if (filled[slot]) throw Error(file + ": graph " + prefix + " '" + names[slot] + "' is given twice");
    out[slot] = import_onnx_tensor_bytes(bytes, file);
    filled[slot] = true;
  }
  return out;
}

std::vector<std::string> value_names(const Graph& g, const std::vector<int>& ids) {
  std::vector<std::string> names;
  for (int id : ids) names.push_back(g.value(id).name);
  return names;
}

// Paths in messages relative to the test directory: the table stays readable.
std::string strip_prefix(std::string msg, const std::string& prefix) {
  for (size_t pos; (pos = msg.find(prefix)) != std::string::npos;) msg.erase(pos, prefix.size());
  std::replace(msg.begin(), msg.end(), '\n', ' ');
  return msg;
}

void run_sets(const fs::path& dir, const Tolerance& tol) {
  Graph g = import_onnx_file((dir / "model.onnx").string());
  prepare_graph(g);
  const ReferenceExecutor exec(g);
  const std::vector<std::string> in_names = value_names(g, g.inputs), out_names = value_names(g, g.outputs);

  std::vector<fs::path> sets;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  std::sort(sets.begin(), sets.end());
  if (sets.empty()) throw Error("no test_data_set_* directory");

  for (const fs::path& set : sets) {
    const std::vector<Tensor> inputs = read_bound(set, "input", in_names);
    const std::vector<Tensor> expected = read_bound(set, "output", out_names);
    const std::vector<Tensor> actual = exec.run(inputs);
    if (actual.size() != expected.size())
      throw Error(set.filename().string() + ": " + std::to_string(actual.size()) + " outputs, expected " +
                  std::to_string(expected.size()));
    for (size_t i = 0; i < actual.size(); ++i)
      if (auto diff = compare_tensors(actual[i], expected[i], tol))
        throw Error(set.filename().string() + ": output '" + out_names[i] + "': " + *diff);
  }
}

}  // namespace

TestResult run_test(const std::string& test_dir, const std::string& name, const std::string& op, const Tolerance& tol) {
  TestResult r;
  r.name = name;
  r.op = op;
  try {
    run_sets(test_dir, tol);
    r.outcome = Outcome::Pass;
  } catch (const std::exception& e) {   // octet::Error, and bad_alloc or filesystem errors too
    r.outcome = Outcome::Fail;
    r.error = r.detail = strip_prefix(e.what(), test_dir + "/");
  }
  // A listed test still runs: the list only explains failures, and a listed test that passes
  // is flagged so its entry gets removed.
  if (auto reason = skip_reason(name)) {
    if (r.outcome == Outcome::Fail) {
      r.outcome = Outcome::Skipped;
      r.detail = std::string(*reason);
    } else {
      r.stale_skip = true;
    }
  }
  return r;
}

Report run_suite(const Options& opts) {
  if (!fs::is_directory(opts.dir))
    throw Error("ONNX test directory '" + opts.dir + "' not found (install Debian's libonnx-testdata, or pass --dir)");
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(opts.dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_directory() && name.rfind("test_", 0) == 0 && name.find(opts.filter) != std::string::npos)
      dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  if (dirs.empty())
    throw Error("no test_* directories" + (opts.filter.empty() ? "" : " matching '" + opts.filter + "'") + " in '" +
                opts.dir + "'");

  Report report;
  std::set<std::string> other_ops;
  for (const fs::path& dir : dirs) {
    const std::string name = dir.filename().string();
    std::vector<std::string> ops;
    try {
      ops = scan_model_op_types(read_bytes(dir / "model.onnx"));
    } catch (const std::exception& e) {
      // Unreadable tests are failures, not out of scope: nothing disappears silently.
      const std::string error = strip_prefix(e.what(), dir.string() + "/");
      report.results.push_back({name, "?", Outcome::Fail, error, error, false});
      continue;
    }
    if (ops.empty()) {
      report.results.push_back({name, "?", Outcome::Fail, "model.onnx has no nodes", "model.onnx has no nodes", false});
      continue;
    }
    std::vector<std::string> distinct;
    bool in_scope = true;
    for (const std::string& op : ops) {
      if (!op_from_onnx_name(op)) {   // also false for "domain:Op"
        other_ops.insert(op);
        in_scope = false;
      }
      if (std::find(distinct.begin(), distinct.end(), op) == distinct.end()) distinct.push_back(op);
    }
    if (!in_scope) {
      ++report.out_of_scope_tests;
      continue;
    }
    std::string label;
    for (const std::string& op : distinct) label += (label.empty() ? "" : "+") + op;
    report.results.push_back(run_test(dir.string(), name, label, opts.tolerance));
  }
  report.out_of_scope_ops.assign(other_ops.begin(), other_ops.end());
  return report;
}

}  // namespace octet::conformance
