// A minimal pickle virtual machine for the Python CIFAR-10 batches (cifar-10-batches-py):
// exactly the opcodes those files use (Python 2 cPickle protocol 2 as originally written, and
// Python 3 re-saves at protocols 2-5) and nothing else.
//
// Pickle can call arbitrary Python callables, so globals are checked against an allow-list
// of numpy's array constructors when they are named, and "calling" one only builds a plain
// description of an array. Every read is bounds-checked, the stack, memo and object count
// are capped, and objects live in a flat arena referenced by index, so hostile input
// (cycles, deep nesting, huge lengths) can only produce an octet::Error.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/runtime/error.h"

namespace octet::pickle {

constexpr size_t kMaxObjects = size_t{1} << 20;   // a 10000-image batch needs ~20000
constexpr size_t kMaxStack = size_t{1} << 20;
constexpr size_t kMaxMarks = size_t{1} << 16;
constexpr size_t kMaxMemo = size_t{1} << 20;
constexpr size_t kMaxGlobalName = 256;

enum class Kind : uint8_t { None, Bool, Int, Float, Bytes, Str, List, Tuple, Dict, Global, Dtype, Array };
// The callables a CIFAR batch pickle may name.
enum class Fn : uint8_t { Reconstruct, Ndarray, Dtype, CodecsEncode, FromBuffer };

struct Obj {
  Obj() = default;
  explicit Obj(Kind k, int64_t v = 0) : kind(k), i(v) {}
  Obj(Kind k, std::string str) : kind(k), s(std::move(str)) {}

  Kind kind = Kind::None;
  Fn fn{};                       // Global
  bool built = false;            // Array: state set (by BUILD or _frombuffer)
  bool fortran = false;          // Array
  int64_t i = 0;                 // Int, Bool
  double f = 0;                  // Float
  std::string s;                 // Bytes/Str contents (Str as UTF-8); Global "module.name"; Dtype code
  std::vector<uint32_t> items;   // List/Tuple elements; Dict key,value pairs flattened
  std::vector<int64_t> shape;    // Array
  uint32_t dtype = 0;            // Array: Dtype object
  uint32_t data = 0;             // Array: Bytes object with the raw elements
};

const char* kind_name(Kind k);

class VM {
 public:
  VM(std::span<const uint8_t> bytes, const std::string& source) : b_(bytes), source_(source) {}

  // Runs to STOP and returns the id of the unpickled object.
  uint32_t run();
  const Obj& obj(uint32_t id) const { return objs_[id]; }
  [[noreturn]] void fail(const std::string& msg) const {
    const bool names_pickle = msg.rfind("unsupported pickle", 0) == 0;
    throw Error(source_ + (names_pickle ? ": " : ": pickle: ") + msg + " (at byte " + std::to_string(op_pos_) + ")");
  }

 private:
  // --- reading the byte stream ---
  const uint8_t* take(uint64_t n) {
    if (n > b_.size() - pos_) fail("truncated: needs " + std::to_string(n) + " more bytes, file ends");
    const uint8_t* p = b_.data() + pos_;
    pos_ += static_cast<size_t>(n);
    return p;
  }
  uint64_t le(int n) {   // unsigned little-endian integer of n bytes
    const uint8_t* p = take(static_cast<uint64_t>(n));
    uint64_t v = 0;
    for (int k = n - 1; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  }
  std::string take_string(uint64_t n) {
    const uint8_t* p = take(n);
    return std::string(reinterpret_cast<const char*>(p), static_cast<size_t>(n));
  }
  std::string take_line() {   // GLOBAL's newline-terminated module and name
    std::string s;
    for (;;) {
      char c = static_cast<char>(*take(1));
      if (c == '\n') return s;
      if (s.size() >= kMaxGlobalName) fail("GLOBAL name longer than " + std::to_string(kMaxGlobalName) + " bytes");
      s += c;
    }
  }

  // --- objects, stack, memo ---
  uint32_t make(Obj o) {
    if (objs_.size() >= kMaxObjects) fail("more than " + std::to_string(kMaxObjects) + " objects");
    objs_.push_back(std::move(o));
    return static_cast<uint32_t>(objs_.size() - 1);
  }
  uint32_t make(Kind k) { return make(Obj(k)); }
  uint32_t make_int(int64_t v) { return make(Obj(Kind::Int, v)); }
  uint32_t make_str(Kind k, std::string s) { return make(Obj(k, std::move(s))); }
  void push(uint32_t id) {
    if (stack_.size() >= kMaxStack) fail("stack deeper than " + std::to_string(kMaxStack));
    stack_.push_back(id);
  }
  uint32_t pop() {
    if (stack_.size() <= stack_floor()) fail("stack underflow");
    uint32_t id = stack_.back();
    stack_.pop_back();
    return id;
  }
  uint32_t top() {
    if (stack_.size() <= stack_floor()) fail("stack underflow");
    return stack_.back();
  }
  size_t stack_floor() const { return marks_.empty() ? 0 : marks_.back(); }
  // Pops everything above the last MARK, and the mark.
  std::vector<uint32_t> pop_mark() {
    if (marks_.empty()) fail("no MARK to pop to");
    std::vector<uint32_t> items(stack_.begin() + static_cast<std::ptrdiff_t>(marks_.back()), stack_.end());
    stack_.resize(marks_.back());
    marks_.pop_back();
    return items;
  }
  void memo_put(uint64_t key) {
    if (memo_.size() >= kMaxMemo && !memo_.count(key)) fail("memo larger than " + std::to_string(kMaxMemo));
    memo_[key] = top();
  }
  void memo_get(uint64_t key) {
    auto it = memo_.find(key);
    if (it == memo_.end()) fail("memo key " + std::to_string(key) + " was never stored");
    push(it->second);
  }

  uint32_t make_global(const std::string& module, const std::string& name);
  uint32_t reduce(uint32_t callable, uint32_t args);
  void build(uint32_t target, uint32_t state);
  void append_to(uint32_t list, const std::vector<uint32_t>& items);
  void set_items(uint32_t dict, const std::vector<uint32_t>& items);
  Obj& expect(uint32_t id, Kind k, const char* what) {
    if (objs_[id].kind != k) fail(std::string(what) + " must be a " + kind_name(k) + ", got " + kind_name(objs_[id].kind));
    return objs_[id];
  }
  std::string latin1_from_utf8(const std::string& s);

  std::span<const uint8_t> b_;
  const std::string& source_;
  size_t pos_ = 0, op_pos_ = 0;
  std::vector<Obj> objs_;
  std::vector<uint32_t> stack_;
  std::vector<size_t> marks_;   // stack sizes at each MARK
  std::unordered_map<uint64_t, uint32_t> memo_;
};

}  // namespace octet::pickle
